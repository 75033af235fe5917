package dev.switchboard.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext;

/**
 * Limits how many access tokens one client id is issued per fixed window, from any address and on any replica,
 * counted in the shared {@code token_issues} table.
 * <p>
 * It is Spring Authorization Server's client-credentials validator (after SAS's own scope check), so it runs only once
 * the client proved its secret, before the token is made: a caller without the secret never learns from it whether a
 * client exists or how busy it is. A token is counted when it is allowed, with a conditional increment, so replicas
 * never allow more than the limit together; a refused request counts nothing. Thread-safe; blocks on the database.
 */
public final class IssuanceLimit implements Consumer<OAuth2ClientCredentialsAuthenticationContext> {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private final FixedWindow window;

	private final Duration windowLength;

	private final int limit;

	private final Counter refused;

	/**
	 * @param window the length of the fixed counting window
	 * @param limit how many tokens one client id may be issued per window
	 */
	public IssuanceLimit(JdbcTemplate jdbc, Clock clock, Duration window, int limit, MeterRegistry meters) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.window = FixedWindow.of(window);
		this.windowLength = window;
		if (limit < 1) {
			throw new IllegalArgumentException("the issuance limit must be at least 1, not " + limit);
		}
		this.limit = limit;
		this.refused = Counter.builder("switchboard.auth.token.issuance-limited")
			.description("Token requests of authenticated clients refused for too many tokens issued")
			.register(meters);
	}

	@Override
	public void accept(OAuth2ClientCredentialsAuthenticationContext context) {
		acquire(context.getRegisteredClient().getClientId());
	}

	/**
	 * Counts one token issued to {@code clientId} in the current window.
	 * @throws ExceededException when the client was issued its limit in this window already
	 */
	public void acquire(String clientId) {
		long now = this.clock.millis();
		long window = this.window.start(now);
		if (increment(clientId, window)) {
			return;
		}
		try {
			this.jdbc.update("INSERT INTO token_issues (client_id, window_start, issued) VALUES (?, ?, 1)", clientId,
					window);
			return;
		}
		catch (DuplicateKeyException ex) {
			// another request or replica made the row first: the conditional increment decides
		}
		if (increment(clientId, window)) {
			return;
		}
		this.refused.increment();
		long retryAfter = this.window.secondsLeft(now);
		throw new ExceededException("client '" + clientId + "' was issued " + this.limit + " tokens in the current "
				+ this.windowLength.toSeconds() + " s window", retryAfter);
	}

	/** Deletes the counts of windows that ended. */
	public int deleteExpired() {
		return this.jdbc.update("DELETE FROM token_issues WHERE window_start < ?",
				this.window.start(this.clock.millis()));
	}

	private boolean increment(String clientId, long window) {
		return this.jdbc.update("UPDATE token_issues SET issued = issued + 1"
				+ " WHERE client_id = ? AND window_start = ? AND issued < ?", clientId, window, this.limit) == 1;
	}

	/**
	 * Refuses a token to a client over its issuance limit; the token endpoint's {@link TokenErrorResponseHandler}
	 * answers it with 429 and {@code Retry-After}.
	 */
	public static final class ExceededException extends OAuth2AuthenticationException {

		private static final long serialVersionUID = 1L;

		private final String reason;

		private final long retryAfterSeconds;

		ExceededException(String reason, long retryAfterSeconds) {
			super(new OAuth2Error(TokenErrorResponses.TOO_MANY_REQUESTS, reason, null), reason);
			this.reason = reason;
			this.retryAfterSeconds = retryAfterSeconds;
		}

		/** Returns why the token was refused, in one line without the retry time. */
		public String reason() {
			return this.reason;
		}

		/** Returns the whole seconds until the window ends and the client may be issued tokens again. */
		public long retryAfterSeconds() {
			return this.retryAfterSeconds;
		}

	}

}
