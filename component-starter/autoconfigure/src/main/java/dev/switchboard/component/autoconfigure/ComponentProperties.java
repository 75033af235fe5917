package dev.switchboard.component.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a component registers with Switchboard, under {@code switchboard.component}.
 *
 * @param enabled whether the component registers itself, heartbeats and drains
 * @param group the service group to join; defaults to {@code spring.application.name}
 * @param instanceId the unique id of this replica; defaults to {@code <group>-<host>-<grpc port>}
 * @param host the address callers should connect to; defaults to the first non-loopback address
 * @param zone the availability zone to report
 * @param weight the relative share of calls this replica should get (1-10000)
 * @param metadata free-form key/values to register, such as {@code idempotent-methods}
 * @param registry where the registry replicas are
 * @param drain how to stop without failing calls
 * @param discovery whether to offer the platform's instances through a Spring Cloud {@code DiscoveryClient}
 */
@ConfigurationProperties("switchboard.component")
public record ComponentProperties(@DefaultValue("true") boolean enabled, String group, String instanceId, String host,
		String zone, @DefaultValue("100") int weight, @DefaultValue Map<String, String> metadata,
		@DefaultValue Registry registry, @DefaultValue Drain drain, @DefaultValue Discovery discovery) {

	/**
	 * @param addresses the registry replicas as {@code host:port}; the component moves to the next on failure
	 * @param timeout the deadline of each unary registry call
	 * @param initialBackoff the ceiling of the first wait before reconnecting
	 * @param maxBackoff the largest wait before reconnecting
	 */
	public record Registry(@DefaultValue("127.0.0.1:9101") List<String> addresses,
			@DefaultValue("3s") Duration timeout, @DefaultValue("100ms") Duration initialBackoff,
			@DefaultValue("3s") Duration maxBackoff) {

	}

	/**
	 * @param quietPeriod how long to keep serving after reporting OUT_OF_SERVICE, so routers stop picking this replica
	 * @param timeout the longest wait, quiet period included, for calls in flight to finish before deregistering
	 */
	public record Drain(@DefaultValue("500ms") Duration quietPeriod, @DefaultValue("10s") Duration timeout) {

	}

	/**
	 * @param enabled whether to watch the registry and offer its instances as a {@code DiscoveryClient}
	 */
	public record Discovery(@DefaultValue("true") boolean enabled) {

	}

}
