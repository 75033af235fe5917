package dev.switchboard.auth.decision;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.grant.Grant;
import dev.switchboard.auth.revocation.RevocationPoller;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.client.auth.Action;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Decides whether a token allows an action.
 * <p>
 * A token is valid when {@link TokenVerifier} accepts it, its id is not revoked, its client exists and is enabled, and
 * it was issued at or after the client's {@code tokens_not_before}. A valid token allows the action when one of the
 * client's <em>current</em> grants does (grants in the token's {@code grants} claim are informative only). Before
 * deciding, the revocation log is caught up, so a decision never contradicts a revocation committed before it was
 * asked, on any replica. Thread-safe; blocks on the database for one indexed query, more on a cache miss.
 */
public final class Authorizer {

	private final TokenVerifier verifier;

	private final DecisionCache cache;

	private final RevocationPoller poller;

	private final Counter allowed;

	private final Counter unauthenticated;

	private final Counter denied;

	public Authorizer(TokenVerifier verifier, DecisionCache cache, RevocationPoller poller, MeterRegistry meters) {
		this.verifier = Objects.requireNonNull(verifier, "verifier");
		this.cache = Objects.requireNonNull(cache, "cache");
		this.poller = Objects.requireNonNull(poller, "poller");
		this.allowed = decisions(meters, "allowed");
		this.unauthenticated = decisions(meters, "unauthenticated");
		this.denied = decisions(meters, "permission_denied");
	}

	private static Counter decisions(MeterRegistry meters, String decision) {
		return Counter.builder("switchboard.auth.decisions")
			.description("Authorization decisions made")
			.tag("decision", decision)
			.register(meters);
	}

	/**
	 * Decides; never throws for a bad token: the answer says why it is refused.
	 * @param token the raw JWT
	 * @param action the parsed action
	 */
	public AuthorizeResponse authorize(String token, Action action) {
		VerifiedToken verified;
		try {
			verified = this.verifier.verify(token);
		}
		catch (InvalidTokenException ex) {
			return unauthenticated(ex.getMessage(), ex.token());
		}
		this.poller.catchUp();
		if (this.cache.revoked(verified.tokenId())) {
			return unauthenticated("token revoked", verified);
		}
		ClientState client = this.cache.client(verified.clientId());
		if (client == null) {
			return unauthenticated("client '" + verified.clientId() + "' does not exist", verified);
		}
		if (!client.enabled()) {
			return unauthenticated("client '" + client.clientId() + "' is disabled", verified);
		}
		if (verified.issuedAt().isBefore(client.tokensNotBefore())) {
			return unauthenticated(
					"token was issued before the tokens of client '" + client.clientId() + "' were revoked", verified);
		}
		List<String> grants = client.grants().values();
		Optional<Grant> grant = client.grants().firstAllowing(action);
		if (grant.isEmpty()) {
			this.denied.increment();
			// a refusal does not list what the client may do
			return answer(Decision.PERMISSION_DENIED, "no grant allows " + action, verified).build();
		}
		this.allowed.increment();
		return answer(Decision.ALLOWED, "allowed by " + grant.get().value(), verified).addAllGrants(grants).build();
	}

	private AuthorizeResponse unauthenticated(String reason, VerifiedToken token) {
		this.unauthenticated.increment();
		AuthorizeResponse.Builder answer = answer(Decision.UNAUTHENTICATED, reason, token);
		// the principal is only named for valid tokens; the id still helps to trace a refused one
		return answer.clearPrincipal().build();
	}

	private static AuthorizeResponse.Builder answer(Decision decision, String reason, VerifiedToken token) {
		AuthorizeResponse.Builder answer = AuthorizeResponse.newBuilder().setDecision(decision).setReason(reason);
		if (token != null) {
			answer.setPrincipal(token.clientId())
				.setTokenId(token.tokenId())
				.setExpiresAt(Timestamp.newBuilder().setSeconds(token.expiresAt().getEpochSecond()));
		}
		return answer;
	}

}
