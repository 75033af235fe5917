package dev.switchboard.auth.token;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

import dev.switchboard.auth.AuthProperties;
import dev.switchboard.auth.client.ClientIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands before Spring Authorization Server's token endpoint and slows down secret guessing.
 * <p>
 * It reads the client id the request claims (HTTP basic, else the {@code client_id} form field) and refuses
 * malformed or oversized ids with 400. After the endpoint ran, a 401 ({@code invalid_client}) counts one failure for
 * the client id at this remote address and one for the address. A key (the pair, or the address) that uses up its
 * failure budget in a window is locked out: from then on, until the lockout ends, the guard answers 429 with
 * {@code Retry-After} without checking the secret. Lockouts grow: see {@link Lockouts}. A client's budget is per
 * source address, so failed attempts from one address cannot lock the client out for its own processes elsewhere.
 * An unknown client id and a wrong secret are the same 401 from SAS, so they count and lock out the same way: the
 * guard's answers never tell whether a client exists. Counts and lockouts live in the database, shared by every
 * replica. Behind a proxy, set {@code server.forward-headers-strategy} so the remote address is the caller's. Never
 * logs a secret. Thread-safe; blocks on the database.
 */
public final class TokenEndpointGuard extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger(TokenEndpointGuard.class);

	/** The longest Authorization header looked at; longer ones cannot carry a valid client id and secret. */
	private static final int MAX_AUTHORIZATION_LENGTH = 1024;

	private final FailureCounter failures;

	private final Lockouts lockouts;

	private final AuthProperties.RateLimit limits;

	private final Counter refused;

	public TokenEndpointGuard(FailureCounter failures, Lockouts lockouts, AuthProperties.RateLimit limits,
			MeterRegistry meters) {
		this.failures = Objects.requireNonNull(failures, "failures");
		this.lockouts = Objects.requireNonNull(lockouts, "lockouts");
		this.limits = Objects.requireNonNull(limits, "limits");
		this.refused = Counter.builder("switchboard.auth.token.rate-limited")
			.description("Token requests refused for too many failed attempts")
			.register(meters);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!"POST".equals(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		String clientId;
		try {
			clientId = claimedClientId(request);
		}
		catch (IllegalArgumentException ex) {
			TokenErrorResponses.write(response, HttpServletResponse.SC_BAD_REQUEST, "invalid_request",
					ex.getMessage());
			return;
		}
		if (clientId != null) {
			String problem = ClientIds.problem(clientId);
			if (problem != null) {
				TokenErrorResponses.write(response, HttpServletResponse.SC_BAD_REQUEST, "invalid_request", problem);
				return;
			}
		}
		if (!this.limits.enabled()) {
			chain.doFilter(request, response);
			return;
		}
		String address = request.getRemoteAddr();
		String addressKey = "address:" + address;
		String clientKey = (clientId != null) ? "client:" + clientId + "@" + address : null;
		Map<String, Duration> locked = this.lockouts.remaining(addressKey, clientKey);
		if (!locked.isEmpty()) {
			// the longer lockout decides when the caller may try again
			Duration forClient = (clientKey != null) ? locked.getOrDefault(clientKey, Duration.ZERO) : Duration.ZERO;
			Duration forAddress = locked.getOrDefault(addressKey, Duration.ZERO);
			boolean clientDecides = forClient.compareTo(forAddress) > 0;
			long retryAfter = seconds(clientDecides ? forClient : forAddress);
			this.refused.increment();
			TokenErrorResponses.tooManyRequests(response, retryAfter, "too many failed attempts "
					+ (clientDecides ? "for client '" + clientId + "' from " + address : "from " + address));
			return;
		}
		chain.doFilter(request, response);
		if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
			int fromAddress = this.failures.recordFailure(addressKey);
			int forClient = (clientKey != null) ? this.failures.recordFailure(clientKey) : 0;
			if (clientKey != null && forClient >= this.limits.clientFailures()) {
				lockOut(clientKey, forClient, "client '" + clientId + "' from " + address);
			}
			if (fromAddress >= this.limits.addressFailures()) {
				lockOut(addressKey, fromAddress, address);
			}
		}
	}

	private void lockOut(String key, int failures, String who) {
		Lockouts.Lockout lockout = this.lockouts.lockOut(key);
		if (lockout.startedNow()) {
			logger.warn("Token endpoint: {} failed attempts for {}; refusing it until {} (strike {})",
					failures, who, lockout.until(), lockout.strikes());
		}
	}

	/** Returns whole seconds, rounded up so that a caller waiting them finds the lockout over, at least one. */
	private static long seconds(Duration duration) {
		return Math.max(1, (duration.toMillis() + 999) / 1000);
	}

	/**
	 * Returns the client id in the request, URL-decoded from HTTP basic as RFC 6749 section 2.3.1 requires, or null.
	 * @throws IllegalArgumentException with a reason when the credentials are malformed
	 */
	static String claimedClientId(HttpServletRequest request) {
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			if (authorization.length() > MAX_AUTHORIZATION_LENGTH) {
				throw new IllegalArgumentException("basic credentials are longer than " + MAX_AUTHORIZATION_LENGTH
						+ " characters");
			}
			String decoded;
			try {
				decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
						StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("basic credentials are not Base64");
			}
			int colon = decoded.indexOf(':');
			if (colon < 0) {
				throw new IllegalArgumentException("basic credentials are not client_id:client_secret");
			}
			try {
				return URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("basic credentials hold a malformed URL-encoded client id");
			}
		}
		return request.getParameter("client_id");
	}

}
