package dev.switchboard.auth.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.Client;

/**
 * A client as stored. Immutable.
 *
 * @param clientId the OAuth2 client id, also the {@code sub} of its tokens
 * @param description free text for operators
 * @param secretHash the delegating-format hash of the secret
 * @param enabled whether the client may get tokens and its tokens are valid
 * @param createdAt when the client was created
 * @param tokensNotBefore tokens issued (iat) before this instant are invalid
 * @param grants the client's grants, sorted
 */
public record ClientRecord(String clientId, String description, String secretHash, boolean enabled,
		Instant createdAt, Instant tokensNotBefore, List<String> grants) {

	public ClientRecord {
		Objects.requireNonNull(clientId, "clientId");
		Objects.requireNonNull(description, "description");
		Objects.requireNonNull(secretHash, "secretHash");
		Objects.requireNonNull(createdAt, "createdAt");
		Objects.requireNonNull(tokensNotBefore, "tokensNotBefore");
		grants = List.copyOf(grants);
	}

	/** Returns the client as the Auth API shows it: everything but the secret hash. */
	public Client toProto() {
		return Client.newBuilder()
			.setClientId(this.clientId)
			.setDescription(this.description)
			.addAllGrants(this.grants)
			.setEnabled(this.enabled)
			.setCreatedAt(timestamp(this.createdAt))
			.build();
	}

	static Timestamp timestamp(Instant instant) {
		return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
	}

}
