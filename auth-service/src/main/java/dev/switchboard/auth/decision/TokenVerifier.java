package dev.switchboard.auth.decision;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.auth.key.KeyRing;
import dev.switchboard.auth.key.SigningKey;
import dev.switchboard.client.grpc.Printable;

/**
 * Checks what a token proves by itself: size, form, algorithm, key id, signature, issuer, expiry and the claims the
 * auth service always sets ({@code jti}, {@code sub}, {@code iat}, {@code exp}). Revocation and the client's state are
 * the {@link Authorizer}'s. Thread-safe; does not block except when an unknown key id makes the key ring reload.
 */
public final class TokenVerifier {

	/** The largest token accepted, in characters (tokens are ASCII). */
	public static final int MAX_TOKEN_LENGTH = 8 * 1024;

	/** How far in the future {@code iat} may be, for clocks of replicas that differ slightly. */
	private static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

	private final KeyRing keys;

	private final String issuer;

	private final Clock clock;

	/**
	 * @param issuer the {@code iss} every token must carry, or null to accept any
	 */
	public TokenVerifier(KeyRing keys, String issuer, Clock clock) {
		this.keys = Objects.requireNonNull(keys, "keys");
		this.issuer = issuer;
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/**
	 * Verifies {@code token}, the raw JWT (a leading {@code Bearer } is tolerated).
	 * @throws InvalidTokenException with a one-line reason when it is not valid
	 */
	public VerifiedToken verify(String token) {
		if (token == null || token.isBlank()) {
			throw new InvalidTokenException("no token");
		}
		if (token.length() > MAX_TOKEN_LENGTH) {
			throw new InvalidTokenException("token is larger than 8 KiB");
		}
		String raw = token.regionMatches(true, 0, "Bearer ", 0, 7) ? token.substring(7).trim() : token;
		SignedJWT jwt;
		JWTClaimsSet claims;
		try {
			jwt = SignedJWT.parse(raw);
			claims = jwt.getJWTClaimsSet();
		}
		catch (ParseException | RuntimeException ex) {
			throw new InvalidTokenException("malformed token");
		}
		JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
		if (!JWSAlgorithm.RS256.equals(algorithm)) {
			throw new InvalidTokenException("token is signed with " + Printable.of(String.valueOf(algorithm), 16)
					+ ", not " + SigningKey.ALGORITHM);
		}
		String kid = jwt.getHeader().getKeyID();
		if (kid == null || kid.isEmpty()) {
			throw new InvalidTokenException("token has no key id");
		}
		SigningKey key = this.keys.find(kid)
			.orElseThrow(() -> new InvalidTokenException("unknown key id '" + Printable.of(kid) + "'"));
		try {
			if (!jwt.verify(key.verifier())) {
				throw new InvalidTokenException("signature does not verify");
			}
		}
		catch (JOSEException | IllegalStateException ex) {
			throw new InvalidTokenException("signature does not verify");
		}
		if (this.issuer != null && !this.issuer.equals(claims.getIssuer())) {
			throw new InvalidTokenException(
					"token was issued by '" + Printable.of(String.valueOf(claims.getIssuer())) + "', not by this auth"
							+ " service");
		}
		String tokenId = claims.getJWTID();
		String clientId = claims.getSubject();
		Date issuedAt = claims.getIssueTime();
		Date expiresAt = claims.getExpirationTime();
		if (tokenId == null || tokenId.isEmpty() || clientId == null || clientId.isEmpty() || issuedAt == null
				|| expiresAt == null) {
			throw new InvalidTokenException("malformed token: jti, sub, iat and exp are required");
		}
		VerifiedToken verified = new VerifiedToken(tokenId, clientId, issuedAt.toInstant(), expiresAt.toInstant(),
				kid);
		Instant now = this.clock.instant();
		if (!verified.expiresAt().isAfter(now)) {
			throw new InvalidTokenException("token expired", verified);
		}
		if (verified.issuedAt().isAfter(now.plus(CLOCK_SKEW))) {
			throw new InvalidTokenException("token is issued in the future", verified);
		}
		return verified;
	}

}
