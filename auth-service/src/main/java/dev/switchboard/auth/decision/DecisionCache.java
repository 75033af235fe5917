package dev.switchboard.auth.decision;

import java.time.Duration;
import java.util.Objects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.revocation.RevocationEvent;
import dev.switchboard.auth.revocation.RevocationListener;
import dev.switchboard.auth.revocation.RevocationStore;

/**
 * What this replica remembers between decisions: each client's state and whether token ids are revoked, read from
 * the database on a miss.
 * <p>
 * Entries are dropped by the revocation log (every change of a client and every revoked token is an event there), so
 * they are never stale once the poller has caught up; the time-to-live only bounds memory. Unknown clients are not
 * remembered. Thread-safe; a miss blocks on the database.
 */
public final class DecisionCache implements RevocationListener {

	private static final int MAX_ENTRIES = 100_000;

	private final ClientStore clients;

	private final RevocationStore revocations;

	private final Cache<String, ClientState> clientStates;

	private final Cache<String, Boolean> revokedTokens;

	public DecisionCache(ClientStore clients, RevocationStore revocations, Duration ttl) {
		this.clients = Objects.requireNonNull(clients, "clients");
		this.revocations = Objects.requireNonNull(revocations, "revocations");
		this.clientStates = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).build();
		this.revokedTokens = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_ENTRIES).build();
	}

	/** Returns the state of {@code clientId}, or null when there is no such client. */
	public ClientState client(String clientId) {
		return this.clientStates.get(clientId,
				(id) -> this.clients.find(id).map(ClientState::of).orElse(null));
	}

	/** Returns whether the token {@code tokenId} is revoked. */
	public boolean revoked(String tokenId) {
		return this.revokedTokens.get(tokenId, this.revocations::isRevoked);
	}

	@Override
	public void revoked(RevocationEvent event) {
		if (event.isEverything()) {
			this.clientStates.invalidateAll();
			this.revokedTokens.invalidateAll();
		}
		else if (event.tokenId() != null) {
			this.revokedTokens.invalidate(event.tokenId());
		}
		else {
			this.clientStates.invalidate(event.clientId());
		}
	}

}
