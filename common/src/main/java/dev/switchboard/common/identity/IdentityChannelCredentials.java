package dev.switchboard.common.identity;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;

/**
 * Mutual-TLS channel credentials with this process's identity, one per platform service: a channel opened for
 * service {@code compute} presents this process's certificate and accepts only a server whose certificate names
 * group {@code compute}, so an address taken over by anyone else, even another platform process, fails the
 * handshake. Thread-safe.
 */
public final class IdentityChannelCredentials {

	private final PlatformIdentity identity;

	private final ConcurrentHashMap<String, ChannelCredentials> byGroup = new ConcurrentHashMap<>();

	public IdentityChannelCredentials(PlatformIdentity identity) {
		this.identity = Objects.requireNonNull(identity, "identity");
	}

	/** Returns the credentials of a channel to replicas of {@code group}. */
	public ChannelCredentials forGroup(String group) {
		Objects.requireNonNull(group, "group");
		return this.byGroup.computeIfAbsent(group, (key) -> TlsChannelCredentials.newBuilder()
			.keyManager(this.identity.keyManager())
			.trustManager(this.identity.trust().trustManager(Set.of(key)))
			.build());
	}

	public PlatformIdentity identity() {
		return this.identity;
	}

}
