package dev.switchboard.sample.compute;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample compute component under {@code switchboard.sample.compute}.
 *
 * @param buildTime how long a new server stays BUILDING before it becomes ACTIVE
 */
@ConfigurationProperties("switchboard.sample.compute")
public record ComputeProperties(@DefaultValue("200ms") Duration buildTime) {

	public ComputeProperties {
		if (buildTime.isNegative()) {
			throw new IllegalArgumentException(
					"switchboard.sample.compute.build-time must not be negative, was " + buildTime);
		}
	}

}
