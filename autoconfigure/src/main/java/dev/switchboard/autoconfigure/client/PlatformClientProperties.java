package dev.switchboard.autoconfigure.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import dev.switchboard.contracts.DefaultPorts;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a process reaches the platform, under {@code switchboard.client}: its own OAuth2 client, the registry replicas,
 * and whether it watches the registry. The same for every process (router, dashboard, auth, components); only the
 * registry service turns its registry client off.
 *
 * @param credentials The OAuth2 client this process gets its tokens for
 * @param registry Where the registry replicas are and how to reach them
 * @param watch Whether to keep the registry's Watch stream
 */
@ConfigurationProperties("switchboard.client")
public record PlatformClientProperties(@DefaultValue Credentials credentials, @DefaultValue Registry registry,
		@DefaultValue Watch watch) {

	/** The switch of the registry client. */
	public static final String REGISTRY_ENABLED = "switchboard.client.registry.enabled";

	/** The switch of the registry watcher. */
	public static final String WATCH_ENABLED = "switchboard.client.watch.enabled";

	/**
	 * @param clientId Client id for the client-credentials grant; no token is sent when empty
	 * @param clientSecret Its secret (from the environment, {@code SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET};
	 * never on a command line)
	 * @param tokenUri The auth service's token endpoints, tried in turn while one is unreachable
	 */
	public record Credentials(String clientId, String clientSecret,
			@DefaultValue(DefaultPorts.TOKEN_URI) List<URI> tokenUri) {

	}

	/**
	 * @param enabled Whether this process has a registry client (off only in the registry service itself)
	 * @param addresses The registry replicas as host:port; one channel spans them all and moves on failure
	 * @param timeout The deadline of each unary registry call
	 * @param initialBackoff The ceiling of the first wait before reconnecting a stream
	 * @param maxBackoff The largest wait before reconnecting a stream
	 */
	public record Registry(@DefaultValue("true") boolean enabled,
			@DefaultValue(DefaultPorts.REGISTRY_ADDRESS) List<String> addresses, @DefaultValue("3s") Duration timeout,
			@DefaultValue("100ms") Duration initialBackoff, @DefaultValue("3s") Duration maxBackoff) {

	}

	/**
	 * @param enabled Whether to keep the registry's Watch stream, which the router's routing table, the component
	 * starter's {@code DiscoveryClient} and the dashboard read
	 */
	public record Watch(@DefaultValue("true") boolean enabled) {

	}

}
