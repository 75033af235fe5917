package dev.switchboard.client.identity;

import java.util.Objects;
import java.util.Set;

import dev.switchboard.client.connection.ClientSettings;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;

/**
 * Mutual-TLS channel credentials with this process's identity, per platform service: a channel opened for service
 * {@code compute} presents this process's certificate and accepts only a server whose certificate names group
 * {@code compute}, so an address taken over by anyone else, even another platform process, fails the handshake.
 * Built per channel (cheap, and nothing to grow with the number of groups). Thread-safe.
 */
public final class IdentityChannelCredentials {

	private final PlatformIdentity identity;

	public IdentityChannelCredentials(PlatformIdentity identity) {
		this.identity = Objects.requireNonNull(identity, "identity");
	}

	/** Returns the credentials of a channel to replicas of {@code group}. */
	public ChannelCredentials forGroup(String group) {
		Objects.requireNonNull(group, "group");
		return TlsChannelCredentials.newBuilder()
			.keyManager(this.identity.keyManager())
			.trustManager(this.identity.trust().trustManager(Set.of(group)))
			.build();
	}

	/**
	 * Returns the credentials of a connection-manager channel: mutual TLS expecting {@code service} as the server's
	 * group, or {@code null} when the service's settings configure TLS themselves (an external service), which then
	 * decide. For {@link dev.switchboard.client.connection.ChannelFactory#grpc(java.util.function.BiFunction,
	 * java.util.function.Consumer)}.
	 */
	public ChannelCredentials forService(String service, ClientSettings settings) {
		return (settings.tls() == null) ? forGroup(service) : null;
	}

	public PlatformIdentity identity() {
		return this.identity;
	}

}
