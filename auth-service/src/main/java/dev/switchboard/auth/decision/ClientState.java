package dev.switchboard.auth.decision;

import java.time.Instant;
import java.util.Objects;

import dev.switchboard.auth.client.ClientRecord;
import dev.switchboard.auth.grant.Grants;

/**
 * What decisions need of a client, with its grants parsed. Immutable.
 *
 * @param clientId the client id
 * @param enabled whether the client's tokens may be valid
 * @param tokensNotBefore tokens issued before this are invalid
 * @param grants the client's current grants
 */
public record ClientState(String clientId, boolean enabled, Instant tokensNotBefore, Grants grants) {

	public ClientState {
		Objects.requireNonNull(clientId, "clientId");
		Objects.requireNonNull(tokensNotBefore, "tokensNotBefore");
		Objects.requireNonNull(grants, "grants");
	}

	static ClientState of(ClientRecord record) {
		return new ClientState(record.clientId(), record.enabled(), record.tokensNotBefore(),
				Grants.parse(record.grants()));
	}

}
