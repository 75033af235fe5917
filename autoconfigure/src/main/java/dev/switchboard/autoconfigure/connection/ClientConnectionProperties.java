package dev.switchboard.autoconfigure.connection;

import dev.switchboard.client.connection.ClientSettings;
import dev.switchboard.client.connection.ConnectionManagerSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of the client connection manager: {@code switchboard.grpc.clients.<service>.*} for each service,
 * {@code switchboard.grpc.clients.defaults.*} for what every service falls back to, and
 * {@code switchboard.grpc.manager.*} for the caps and bookkeeping. Service names are map keys: write names with dots
 * in brackets ({@code switchboard.grpc.clients[a.b].address}); {@code defaults} is not a service name.
 *
 * @param clients Settings of each service by name; the 'defaults' entry sets what every service falls back to.
 * @param manager Caps and bookkeeping of the client connection manager.
 */
@ConfigurationProperties("switchboard.grpc")
public record ClientConnectionProperties(Map<String, Client> clients, @DefaultValue Manager manager) {

	/** The key under {@code switchboard.grpc.clients} that holds the defaults. */
	public static final String DEFAULTS = "defaults";

	public ClientConnectionProperties {
		clients = (clients != null) ? Map.copyOf(clients) : Map.of();
		Objects.requireNonNull(manager, "manager");
	}

	/** Returns the manager's settings: each service's values over the defaults, and the manager's caps. */
	public ConnectionManagerSettings toSettings() {
		Client defaults = this.clients.get(DEFAULTS);
		Map<String, ClientSettings> services = new HashMap<>();
		this.clients.forEach((service, client) -> {
			if (!DEFAULTS.equals(service)) {
				services.put(service, client.toSettings());
			}
		});
		return new ConnectionManagerSettings((defaults != null) ? defaults.toSettings() : ClientSettings.unset(),
				services, this.manager.maxConnections(), this.manager.maxConnectionsPerService(),
				this.manager.heldThreshold(), this.manager.captureOrigin(), this.manager.closeTimeout());
	}

	/**
	 * Settings of one service (or the defaults). Unset values come from the defaults, then from grpc-java.
	 *
	 * @param address gRPC target of the service, such as 'host:port' or 'dns:///host:port'.
	 * @param deadline Deadline given to a call whose caller set none.
	 * @param keepaliveTime Time without reads after which the channel pings the server.
	 * @param keepaliveTimeout Time to wait for a ping acknowledgement before closing the transport.
	 * @param idleTimeout Time without calls after which the channel releases its transports.
	 * @param maxInboundMessageSize Largest message the channel accepts.
	 * @param tls Transport security.
	 */
	public record Client(String address, Duration deadline, Duration keepaliveTime, Duration keepaliveTimeout,
			Duration idleTimeout, DataSize maxInboundMessageSize, Tls tls) {

		ClientSettings toSettings() {
			return new ClientSettings(this.address, this.deadline, this.keepaliveTime, this.keepaliveTimeout,
					this.idleTimeout,
					(this.maxInboundMessageSize != null) ? Math.toIntExact(this.maxInboundMessageSize.toBytes())
							: null,
					(this.tls != null) ? new ClientSettings.Tls(this.tls.enabled(), this.tls.trustCertificates())
							: null);
		}

	}

	/**
	 * Transport security of one service (or the defaults).
	 *
	 * @param enabled Whether to use TLS.
	 * @param trustCertificates PEM file of the certificates to trust instead of the JDK's default roots.
	 */
	public record Tls(Boolean enabled, Path trustCertificates) {

	}

	/**
	 * Caps and bookkeeping of the manager.
	 *
	 * @param enabled Whether to create the client connection manager.
	 * @param maxConnections Maximum number of connections open at once in the process.
	 * @param maxConnectionsPerService Maximum number of connections open at once to one service.
	 * @param heldThreshold Age past which an open connection is reported as held.
	 * @param captureOrigin Whether to record the stack of the code that opened each connection.
	 * @param closeTimeout Time closing waits for in-flight calls before cancelling them.
	 */
	public record Manager(@DefaultValue("true") boolean enabled, @DefaultValue("1024") int maxConnections,
			@DefaultValue("64") int maxConnectionsPerService, @DefaultValue("10m") Duration heldThreshold,
			@DefaultValue("false") boolean captureOrigin, @DefaultValue("5s") Duration closeTimeout) {

	}

}
