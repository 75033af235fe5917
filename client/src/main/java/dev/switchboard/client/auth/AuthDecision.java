package dev.switchboard.client.auth;

import java.time.Instant;
import java.util.Objects;

import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * The auth service's answer about one token and action, as callers act on it.
 *
 * @param decision allowed, unauthenticated or permission denied
 * @param principal the client the token belongs to, empty when the token is not valid
 * @param tokenId the token's jti, empty when unknown
 * @param expiresAt when the token expires; {@code Instant.EPOCH} when unknown
 * @param reason one line saying why
 */
public record AuthDecision(Decision decision, String principal, String tokenId, Instant expiresAt, String reason) {

	public AuthDecision {
		Objects.requireNonNull(decision, "decision");
		Objects.requireNonNull(principal, "principal");
		Objects.requireNonNull(tokenId, "tokenId");
		Objects.requireNonNull(expiresAt, "expiresAt");
		Objects.requireNonNull(reason, "reason");
	}

	/** A refusal decided without asking the auth service, such as a missing header. */
	public static AuthDecision unauthenticated(String reason) {
		return new AuthDecision(Decision.UNAUTHENTICATED, "", "", Instant.EPOCH, reason);
	}

	/** No decision: the auth service could not be asked. Never remembered. */
	public static AuthDecision undecided(String reason) {
		return new AuthDecision(Decision.DECISION_UNSPECIFIED, "", "", Instant.EPOCH, reason);
	}

	static AuthDecision of(AuthorizeResponse response) {
		Instant expires = Instant.ofEpochSecond(response.getExpiresAt().getSeconds(), response.getExpiresAt().getNanos());
		return new AuthDecision(response.getDecision(), response.getPrincipal(), response.getTokenId(), expires,
				response.getReason());
	}

	public boolean allowed() {
		return this.decision == Decision.ALLOWED;
	}

	/**
	 * Returns the status a refused call gets: UNAUTHENTICATED or PERMISSION_DENIED with the reason, UNAVAILABLE when
	 * no decision could be had.
	 */
	public Status toStatus() {
		return switch (this.decision) {
			case ALLOWED -> Status.OK;
			case PERMISSION_DENIED -> Status.PERMISSION_DENIED.withDescription(this.reason);
			case DECISION_UNSPECIFIED -> Status.UNAVAILABLE.withDescription(this.reason);
			default -> Status.UNAUTHENTICATED.withDescription(this.reason);
		};
	}

	/**
	 * Returns the raw token from an {@code authorization} header value, or {@code null} when it is not a bearer token.
	 */
	public static @Nullable String bearerToken(@Nullable String authorization) {
		if (authorization == null || authorization.length() < 8
				|| !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		String token = authorization.substring(7).trim();
		return token.isEmpty() ? null : token;
	}

}
