package dev.switchboard.auth.decision;

import java.time.Instant;
import java.util.Objects;

/**
 * The claims of a token whose signature, key, issuer and expiry checked out. Immutable.
 *
 * @param tokenId the {@code jti}
 * @param clientId the {@code sub}: the client the token was issued to
 * @param issuedAt the {@code iat}
 * @param expiresAt the {@code exp}
 * @param kid the key that signed it
 */
public record VerifiedToken(String tokenId, String clientId, Instant issuedAt, Instant expiresAt, String kid) {

	public VerifiedToken {
		Objects.requireNonNull(tokenId, "tokenId");
		Objects.requireNonNull(clientId, "clientId");
		Objects.requireNonNull(issuedAt, "issuedAt");
		Objects.requireNonNull(expiresAt, "expiresAt");
		Objects.requireNonNull(kid, "kid");
	}

}
