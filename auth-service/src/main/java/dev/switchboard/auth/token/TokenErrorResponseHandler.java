package dev.switchboard.auth.token;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ErrorAuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * The token endpoint's error responses: 429 with {@code Retry-After} for a client over its {@link IssuanceLimit},
 * Spring Authorization Server's own 400 answer for everything else. Failed client authentication (401
 * {@code invalid_client}) is answered earlier, by SAS's client authentication filter, and never reaches this.
 * Stateless.
 */
public final class TokenErrorResponseHandler implements AuthenticationFailureHandler {

	private final AuthenticationFailureHandler standard = new OAuth2ErrorAuthenticationFailureHandler();

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException, ServletException {
		if (exception instanceof IssuanceLimit.ExceededException exceeded) {
			TokenErrorResponses.tooManyRequests(response, exceeded.retryAfterSeconds(), exceeded.reason());
			return;
		}
		this.standard.onAuthenticationFailure(request, response, exception);
	}

}
