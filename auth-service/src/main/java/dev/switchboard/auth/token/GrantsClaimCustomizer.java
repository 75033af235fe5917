package dev.switchboard.auth.token;

import java.time.Instant;
import java.util.List;

import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Completes the access tokens Spring Authorization Server issues: adds the {@code grants} claim (the client's grants
 * when the token was issued; decisions always use the current grants), and lifts {@code iat} to the client's
 * {@code tokens_not_before} when a client-wide revocation happened within the current second, since JWT times have
 * second precision. SAS already sets {@code sub} (the client id), {@code jti}, {@code iat}, {@code exp} and
 * {@code iss}; the encoder sets {@code kid}. Thread-safe and stateless.
 */
public final class GrantsClaimCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

	/** The claim listing the client's grants. */
	public static final String GRANTS_CLAIM = "grants";

	@Override
	public void customize(JwtEncodingContext context) {
		if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
			return;
		}
		List<String> grants = context.getRegisteredClient()
			.getClientSettings()
			.getSetting(StoreRegisteredClientRepository.GRANTS_SETTING);
		Instant notBefore = context.getRegisteredClient()
			.getClientSettings()
			.getSetting(StoreRegisteredClientRepository.TOKENS_NOT_BEFORE_SETTING);
		context.getClaims().claims((claims) -> {
			claims.put(GRANTS_CLAIM, (grants != null) ? grants : List.of());
			if (notBefore != null && claims.get(JwtClaimNames.IAT) instanceof Instant issuedAt
					&& issuedAt.isBefore(notBefore)) {
				claims.put(JwtClaimNames.IAT, notBefore);
			}
		});
	}

}
