package dev.switchboard.component.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a component registers with Switchboard, under switchboard.component}.
 *
 * @param enabled Whether the component registers itself, heartbeats and drains
 * @param group The service group to join; defaults to spring.application.name
 * @param instanceId The unique id of this replica; defaults to <group>-<host>-<grpc port>
 * @param host The address callers should connect to; defaults to the first non-loopback address
 * @param zone The availability zone to report
 * @param weight The relative share of calls this replica should get (1-10000)
 * @param metadata Free-form key/values to register, such as idempotent-methods
 * @param registry Where the registry replicas are
 * @param drain How to stop without failing calls
 * @param discovery Whether to offer the platform's instances through a Spring Cloud DiscoveryClient
 * @param credentials The OAuth2 client this component gets its tokens for
 */
@ConfigurationProperties("switchboard.component")
public record ComponentProperties(@DefaultValue("true") boolean enabled, String group, String instanceId, String host,
		String zone, @DefaultValue("100") int weight, @DefaultValue Map<String, String> metadata,
		@DefaultValue Registry registry, @DefaultValue Drain drain, @DefaultValue Discovery discovery,
		@DefaultValue Credentials credentials) {

	/**
	 * @param addresses The registry replicas as host:port; the component moves to the next on failure
	 * @param timeout The deadline of each unary registry call
	 * @param initialBackoff The ceiling of the first wait before reconnecting
	 * @param maxBackoff The largest wait before reconnecting
	 */
	public record Registry(@DefaultValue(DefaultPorts.REGISTRY_ADDRESS) List<String> addresses,
			@DefaultValue("3s") Duration timeout, @DefaultValue("100ms") Duration initialBackoff,
			@DefaultValue("3s") Duration maxBackoff) {

	}

	/**
	 * @param quietPeriod How long to keep serving after reporting OUT_OF_SERVICE, so routers stop picking this replica
	 * @param timeout The longest wait, quiet period included, for calls in flight to finish before deregistering
	 */
	public record Drain(@DefaultValue("500ms") Duration quietPeriod, @DefaultValue("10s") Duration timeout) {

	}

	/**
	 * @param clientId Client id for the client-credentials grant; no token is sent when empty
	 * @param clientSecret Its secret
	 * @param tokenUri The auth service's token endpoint; several (comma-separated) are tried in turn while one is
	 * unreachable
	 */
	public record Credentials(String clientId, String clientSecret,
			@DefaultValue(DefaultPorts.TOKEN_URI) List<java.net.URI> tokenUri) {

		/** Returns whether a client is configured. */
		public boolean configured() {
			return this.clientId != null && !this.clientId.isBlank();
		}

	}

	/**
	 * @param enabled Whether to offer the registry's instances as a DiscoveryClient (needs the registry watcher,
	 * {@code switchboard.component.watch.enabled}, of the Switchboard auto-configuration)
	 */
	public record Discovery(@DefaultValue("true") boolean enabled) {

	}

}
