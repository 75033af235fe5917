package dev.switchboard.client.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one service and what to apply to its calls. Every component may be {@code null}, meaning "not set
 * here": {@link #orElse(ClientSettings)} fills the gaps from a fallback (the defaults), and the channel factory leaves
 * grpc-java's own default in place for whatever is still unset.
 * <p>
 * Immutable and thread-safe.
 *
 * @param address the gRPC target {@link ClientConnectionManager#acquire(String)} connects to ({@code host:port},
 * {@code dns:///host:port}, ...)
 * @param deadline the deadline given to a call whose caller set none
 * @param keepaliveTime the time without reads after which the channel pings the server
 * @param keepaliveTimeout the time to wait for a ping's acknowledgement before closing the transport
 * @param idleTimeout the time without calls after which the channel releases its transports
 * @param maxInboundMessageSize the largest message, in bytes, the channel accepts
 * @param tls transport security; {@code null} or not enabled means plaintext
 */
public record ClientSettings(String address, Duration deadline, Duration keepaliveTime, Duration keepaliveTimeout,
		Duration idleTimeout, Integer maxInboundMessageSize, Tls tls) {

	private static final ClientSettings UNSET = new ClientSettings(null, null, null, null, null, null, null);

	public ClientSettings {
		requirePositive(deadline, "deadline");
		requirePositive(keepaliveTime, "keepaliveTime");
		requirePositive(keepaliveTimeout, "keepaliveTimeout");
		requirePositive(idleTimeout, "idleTimeout");
		if (maxInboundMessageSize != null && maxInboundMessageSize <= 0) {
			throw new IllegalArgumentException("maxInboundMessageSize must be positive: " + maxInboundMessageSize);
		}
	}

	/** Returns settings that set nothing, so every value comes from the fallback. */
	public static ClientSettings unset() {
		return UNSET;
	}

	/** Returns settings that only name the address of the service. */
	public static ClientSettings forAddress(String address) {
		return UNSET.withAddress(address);
	}

	public ClientSettings withAddress(String address) {
		return new ClientSettings(address, this.deadline, this.keepaliveTime, this.keepaliveTimeout, this.idleTimeout,
				this.maxInboundMessageSize, this.tls);
	}

	public ClientSettings withDeadline(Duration deadline) {
		return new ClientSettings(this.address, deadline, this.keepaliveTime, this.keepaliveTimeout, this.idleTimeout,
				this.maxInboundMessageSize, this.tls);
	}

	public ClientSettings withKeepalive(Duration keepaliveTime, Duration keepaliveTimeout) {
		return new ClientSettings(this.address, this.deadline, keepaliveTime, keepaliveTimeout, this.idleTimeout,
				this.maxInboundMessageSize, this.tls);
	}

	public ClientSettings withIdleTimeout(Duration idleTimeout) {
		return new ClientSettings(this.address, this.deadline, this.keepaliveTime, this.keepaliveTimeout, idleTimeout,
				this.maxInboundMessageSize, this.tls);
	}

	public ClientSettings withMaxInboundMessageSize(Integer maxInboundMessageSize) {
		return new ClientSettings(this.address, this.deadline, this.keepaliveTime, this.keepaliveTimeout,
				this.idleTimeout, maxInboundMessageSize, this.tls);
	}

	public ClientSettings withTls(Tls tls) {
		return new ClientSettings(this.address, this.deadline, this.keepaliveTime, this.keepaliveTimeout,
				this.idleTimeout, this.maxInboundMessageSize, tls);
	}

	/**
	 * Returns these settings with every unset value taken from {@code fallback}; the TLS settings are overlaid value
	 * by value too.
	 */
	public ClientSettings orElse(ClientSettings fallback) {
		if (fallback == null || fallback == UNSET) {
			return this;
		}
		return new ClientSettings(pick(this.address, fallback.address), pick(this.deadline, fallback.deadline),
				pick(this.keepaliveTime, fallback.keepaliveTime), pick(this.keepaliveTimeout, fallback.keepaliveTimeout),
				pick(this.idleTimeout, fallback.idleTimeout),
				pick(this.maxInboundMessageSize, fallback.maxInboundMessageSize),
				(this.tls != null) ? this.tls.orElse(fallback.tls) : fallback.tls);
	}

	/** Returns whether connections use TLS. */
	public boolean tlsEnabled() {
		return this.tls != null && Boolean.TRUE.equals(this.tls.enabled());
	}

	private static <T> T pick(T value, T fallback) {
		return (value != null) ? value : fallback;
	}

	private static void requirePositive(Duration duration, String name) {
		if (duration != null && (duration.isNegative() || duration.isZero())) {
			throw new IllegalArgumentException(name + " must be positive: " + duration);
		}
	}

	/**
	 * Transport security for one service. Either value may be {@code null}, meaning "not set here".
	 *
	 * @param enabled whether to use TLS
	 * @param trustCertificates a PEM file of the certificates to trust; {@code null} trusts the JDK's default roots
	 */
	public record Tls(Boolean enabled, Path trustCertificates) {

		/** Returns TLS trusting the JDK's default roots. */
		public static Tls system() {
			return new Tls(true, null);
		}

		/** Returns TLS trusting only the certificates in a PEM file. */
		public static Tls trusting(Path trustCertificates) {
			return new Tls(true, Objects.requireNonNull(trustCertificates, "trustCertificates"));
		}

		/** Returns plaintext, overriding a default that enables TLS. */
		public static Tls disabled() {
			return new Tls(false, null);
		}

		/** Returns these settings with every unset value taken from {@code fallback}. */
		public Tls orElse(Tls fallback) {
			if (fallback == null) {
				return this;
			}
			return new Tls(pick(this.enabled, fallback.enabled), pick(this.trustCertificates, fallback.trustCertificates));
		}

	}

}
