package dev.switchboard.auth.token;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Keeps no record of issued tokens. Client-credentials access tokens are self-contained JWTs checked by
 * {@code Auth.Authorize} and revoked by {@code Auth.RevokeToken}; SAS's default in-memory service would grow with
 * every token issued and differ between replicas. As a consequence SAS's {@code /oauth2/introspect} and
 * {@code /oauth2/revoke} endpoints know no token: use the gRPC API. Thread-safe and stateless.
 */
public final class UnstoredAuthorizationService implements OAuth2AuthorizationService {

	@Override
	public void save(OAuth2Authorization authorization) {
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
	}

	@Override
	public OAuth2Authorization findById(String id) {
		return null;
	}

	@Override
	public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
		return null;
	}

}
