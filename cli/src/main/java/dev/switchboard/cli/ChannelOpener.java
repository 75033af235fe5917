package dev.switchboard.cli;

import java.nio.file.Path;
import java.util.Set;

import dev.switchboard.client.identity.PlatformTrust;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

/**
 * Opens the channel one command runs on. The command owns the channel: it shuts it down when it is done.
 */
@FunctionalInterface
public interface ChannelOpener {

	/**
	 * Opens a channel; connecting may happen lazily, on the first call.
	 * @param target where to connect, e.g. {@code 127.0.0.1:9090} or {@code dns:///registry:9090}
	 * @param tls whether to use TLS rather than plaintext
	 * @return a new channel
	 * @throws IllegalArgumentException when the target cannot be used
	 */
	ManagedChannel open(String target, boolean tls);

	/**
	 * Opens a channel whose TLS trusts only the CA certificates in {@code caCertificates}; by default the file is not
	 * looked at.
	 * @param caCertificates a PEM file of CA certificates, or {@code null} for the JVM's trust store
	 */
	default ManagedChannel open(String target, boolean tls, Path caCertificates) {
		return open(target, tls);
	}

	/**
	 * Opens channels with the transport on the class path (Netty), trusting the JVM's trust store for TLS, or the
	 * platform CA of a given file: then the server must present a platform identity from that CA (host names are not
	 * checked; platform certificates name identities).
	 * @return the opener
	 */
	static ChannelOpener transport() {
		return new ChannelOpener() {

			@Override
			public ManagedChannel open(String target, boolean tls) {
				return open(target, tls, null);
			}

			@Override
			public ManagedChannel open(String target, boolean tls, Path caCertificates) {
				Path trusted = (caCertificates != null) ? caCertificates : defaultCaCertificates();
				ChannelCredentials credentials = !tls ? InsecureChannelCredentials.create()
						: (trusted == null) ? TlsChannelCredentials.create()
								: TlsChannelCredentials.newBuilder()
									.trustManager(PlatformTrust.fromFile(TRUST_DOMAIN, trusted).trustManager(Set.of()))
									.build();
				return Grpc.newChannelBuilder(target, credentials).userAgent("switchboard-cli").build();
			}

		};
	}

	/** The CA file {@code SWITCHBOARD_CACERT} names (the launcher sets the local platform's), or {@code null}. */
	private static Path defaultCaCertificates() {
		String file = System.getenv("SWITCHBOARD_CACERT");
		return (file != null && !file.isBlank()) ? Path.of(file) : null;
	}

	/** The trust domain a server's platform identity must be of, when a CA file is given. */
	String TRUST_DOMAIN = System.getProperty("switchboard.identity.trust-domain", "switchboard.local");

}
