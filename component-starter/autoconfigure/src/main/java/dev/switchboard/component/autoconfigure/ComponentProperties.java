package dev.switchboard.component.autoconfigure;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a component registers with Switchboard, under {@code switchboard.component}.
 *
 * @param enabled Whether the component registers itself, heartbeats and drains
 * @param group The service group to join; defaults to spring.application.name
 * @param instanceId The unique id of this replica; defaults to <group>-<host>-<grpc port>
 * @param host The address callers should connect to; defaults to the first non-loopback address
 * @param zone The availability zone to report
 * @param weight The relative share of calls this replica should get (1-10000)
 * @param metadata Free-form key/values to register, such as idempotent-methods
 * @param drain How to stop without failing calls
 * @param discovery Whether to offer the platform's instances through a Spring Cloud DiscoveryClient
 */
@ConfigurationProperties("switchboard.component")
public record ComponentProperties(@DefaultValue("true") boolean enabled, String group, String instanceId, String host,
		String zone, @DefaultValue("100") int weight, @DefaultValue Map<String, String> metadata,
		@DefaultValue Drain drain, @DefaultValue Discovery discovery) {

	/**
	 * @param quietPeriod How long to keep serving after reporting OUT_OF_SERVICE, so routers stop picking this replica
	 * @param timeout The longest wait, quiet period included, for calls in flight to finish before deregistering
	 */
	public record Drain(@DefaultValue("500ms") Duration quietPeriod, @DefaultValue("10s") Duration timeout) {

	}

	/**
	 * @param enabled Whether to offer the registry's instances as a DiscoveryClient (needs the registry watcher,
	 * {@code switchboard.client.watch.enabled}, of the Switchboard auto-configuration)
	 */
	public record Discovery(@DefaultValue("true") boolean enabled) {

	}

}
