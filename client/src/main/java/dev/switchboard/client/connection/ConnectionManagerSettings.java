package dev.switchboard.client.connection;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link ClientConnectionManager} is configured with: per-service client settings over common defaults,
 * the connection caps and the bookkeeping knobs.
 * <p>
 * Immutable and thread-safe.
 *
 * @param defaults the settings every service falls back to
 * @param services the settings of each service by name; unset values come from {@code defaults}
 * @param maxConnections the most connections open at once in the process
 * @param maxConnectionsPerService the most connections open at once to one service
 * @param heldThreshold the age past which an open connection is reported as held
 * @param captureOrigin whether to record the stack of the code that opened each connection
 * @param closeTimeout how long closing waits for a channel's calls to finish before cancelling them
 */
public record ConnectionManagerSettings(ClientSettings defaults, Map<String, ClientSettings> services,
		int maxConnections, int maxConnectionsPerService, Duration heldThreshold, boolean captureOrigin,
		Duration closeTimeout) {

	public static final int DEFAULT_MAX_CONNECTIONS = 1024;

	public static final int DEFAULT_MAX_CONNECTIONS_PER_SERVICE = 64;

	public static final Duration DEFAULT_HELD_THRESHOLD = Duration.ofMinutes(10);

	public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

	public ConnectionManagerSettings {
		Objects.requireNonNull(defaults, "defaults");
		services = Map.copyOf(Objects.requireNonNull(services, "services"));
		Objects.requireNonNull(heldThreshold, "heldThreshold");
		Objects.requireNonNull(closeTimeout, "closeTimeout");
		if (maxConnections <= 0) {
			throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
		}
		if (maxConnectionsPerService <= 0) {
			throw new IllegalArgumentException("maxConnectionsPerService must be positive: " + maxConnectionsPerService);
		}
		if (heldThreshold.isNegative() || heldThreshold.isZero()) {
			throw new IllegalArgumentException("heldThreshold must be positive: " + heldThreshold);
		}
		if (closeTimeout.isNegative()) {
			throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
		}
	}

	/** Returns the defaults: no per-service settings, 1024 connections, 64 per service, held after 10 minutes. */
	public static ConnectionManagerSettings standard() {
		return new ConnectionManagerSettings(ClientSettings.unset(), Map.of(), DEFAULT_MAX_CONNECTIONS,
				DEFAULT_MAX_CONNECTIONS_PER_SERVICE, DEFAULT_HELD_THRESHOLD, false, DEFAULT_CLOSE_TIMEOUT);
	}

	/** Returns the effective settings of a service: its own values over the defaults. */
	public ClientSettings resolve(String service) {
		Objects.requireNonNull(service, "service");
		ClientSettings own = this.services.get(service);
		return (own != null) ? own.orElse(this.defaults) : this.defaults;
	}

	public ConnectionManagerSettings withDefaults(ClientSettings defaults) {
		return new ConnectionManagerSettings(defaults, this.services, this.maxConnections,
				this.maxConnectionsPerService, this.heldThreshold, this.captureOrigin, this.closeTimeout);
	}

	/** Returns a copy with the settings of one service set (replacing any earlier ones). */
	public ConnectionManagerSettings withService(String service, ClientSettings settings) {
		Map<String, ClientSettings> services = new HashMap<>(this.services);
		services.put(Objects.requireNonNull(service, "service"), Objects.requireNonNull(settings, "settings"));
		return new ConnectionManagerSettings(this.defaults, services, this.maxConnections,
				this.maxConnectionsPerService, this.heldThreshold, this.captureOrigin, this.closeTimeout);
	}

	public ConnectionManagerSettings withMaxConnections(int maxConnections) {
		return new ConnectionManagerSettings(this.defaults, this.services, maxConnections,
				this.maxConnectionsPerService, this.heldThreshold, this.captureOrigin, this.closeTimeout);
	}

	public ConnectionManagerSettings withMaxConnectionsPerService(int maxConnectionsPerService) {
		return new ConnectionManagerSettings(this.defaults, this.services, this.maxConnections,
				maxConnectionsPerService, this.heldThreshold, this.captureOrigin, this.closeTimeout);
	}

	public ConnectionManagerSettings withHeldThreshold(Duration heldThreshold) {
		return new ConnectionManagerSettings(this.defaults, this.services, this.maxConnections,
				this.maxConnectionsPerService, heldThreshold, this.captureOrigin, this.closeTimeout);
	}

	public ConnectionManagerSettings withCaptureOrigin(boolean captureOrigin) {
		return new ConnectionManagerSettings(this.defaults, this.services, this.maxConnections,
				this.maxConnectionsPerService, this.heldThreshold, captureOrigin, this.closeTimeout);
	}

	public ConnectionManagerSettings withCloseTimeout(Duration closeTimeout) {
		return new ConnectionManagerSettings(this.defaults, this.services, this.maxConnections,
				this.maxConnectionsPerService, this.heldThreshold, this.captureOrigin, closeTimeout);
	}

}
