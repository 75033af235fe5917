package dev.switchboard.auth.revocation;

import java.time.Instant;
import java.util.Objects;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.Revocation;

/**
 * One revocation: a single token ({@code tokenId}) or every token and cached decision of a client ({@code clientId}).
 * The client id {@value #EVERY_CLIENT} means "events up to this sequence may have been missed: drop every cached
 * decision". Immutable.
 *
 * @param sequence the position in the cluster-wide revocation order
 * @param tokenId the revoked token's jti, or null
 * @param clientId the client whose tokens or grants changed, or null
 * @param revokedAt when it was revoked
 */
public record RevocationEvent(long sequence, String tokenId, String clientId, Instant revokedAt) {

	/** The client id of an event that tells watchers to drop every cached decision. */
	public static final String EVERY_CLIENT = "*";

	public RevocationEvent {
		Objects.requireNonNull(revokedAt, "revokedAt");
		if ((tokenId == null) == (clientId == null)) {
			throw new IllegalArgumentException("exactly one of tokenId and clientId must be set");
		}
	}

	/** Returns an event telling watchers that anything up to {@code sequence} may have been missed. */
	public static RevocationEvent everything(long sequence, Instant at) {
		return new RevocationEvent(sequence, null, EVERY_CLIENT, at);
	}

	/** Returns whether this event concerns every client. */
	public boolean isEverything() {
		return EVERY_CLIENT.equals(this.clientId);
	}

	/** Returns the event as WatchRevocations sends it. */
	public Revocation toProto() {
		Revocation.Builder builder = Revocation.newBuilder()
			.setSequence(this.sequence)
			.setRevokedAt(timestamp(this.revokedAt));
		if (this.tokenId != null) {
			builder.setTokenId(this.tokenId);
		}
		else {
			builder.setClientId(this.clientId);
		}
		return builder.build();
	}

	/** Returns the first message of a WatchRevocations stream: the current sequence and no subject. */
	public static Revocation start(long sequence, Instant at) {
		return Revocation.newBuilder().setSequence(sequence).setRevokedAt(timestamp(at)).build();
	}

	static Timestamp timestamp(Instant instant) {
		return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
	}

}
