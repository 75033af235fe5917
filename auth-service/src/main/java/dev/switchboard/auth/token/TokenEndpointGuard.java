package dev.switchboard.auth.token;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands before Spring Authorization Server's token endpoint and slows down secret guessing.
 * <p>
 * It reads the client id the request claims (HTTP basic, else the {@code client_id} form field) and refuses
 * malformed or oversized ids with 400. When the client id from this remote address, or the remote address, has used
 * up its failure budget in the current window, it answers 429 with {@code Retry-After} without checking the secret.
 * After the endpoint ran, a 401 ({@code invalid_client}) counts one failure for both. A client's budget is per source
 * address, so failed attempts from one address cannot lock the client out for its own processes elsewhere. Counts live in the database, shared by every replica.
 * Behind a proxy, set {@code server.forward-headers-strategy} so the remote address is the caller's. Never logs a
 * secret. Thread-safe; blocks on the database.
 */
public final class TokenEndpointGuard extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger(TokenEndpointGuard.class);

	/** The longest Authorization header looked at; longer ones cannot carry a valid client id and secret. */
	private static final int MAX_AUTHORIZATION_LENGTH = 1024;

	private final FailureCounter failures;

	private final AuthProperties.RateLimit limits;

	private final Counter refused;

	public TokenEndpointGuard(FailureCounter failures, AuthProperties.RateLimit limits, MeterRegistry meters) {
		this.failures = Objects.requireNonNull(failures, "failures");
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
			error(response, HttpServletResponse.SC_BAD_REQUEST, "invalid_request", ex.getMessage());
			return;
		}
		if (clientId != null) {
			String problem = ClientIds.problem(clientId);
			if (problem != null) {
				error(response, HttpServletResponse.SC_BAD_REQUEST, "invalid_request", problem);
				return;
			}
		}
		if (!this.limits.enabled()) {
			chain.doFilter(request, response);
			return;
		}
		String addressKey = "address:" + request.getRemoteAddr();
		String clientKey = (clientId != null) ? "client:" + clientId + "@" + request.getRemoteAddr() : null;
		Map<String, Integer> counts = this.failures.failures(addressKey, clientKey);
		boolean clientBlocked = clientKey != null && counts.getOrDefault(clientKey, 0) >= this.limits.clientFailures();
		boolean addressBlocked = counts.getOrDefault(addressKey, 0) >= this.limits.addressFailures();
		if (clientBlocked || addressBlocked) {
			this.refused.increment();
			long retryAfter = this.failures.retryAfterSeconds();
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
			error(response, 429, "too_many_requests", "too many failed attempts "
					+ (clientBlocked ? "for client '" + clientId + "' from " + request.getRemoteAddr()
							: "from " + request.getRemoteAddr())
					+ "; retry in " + retryAfter + " s");
			return;
		}
		chain.doFilter(request, response);
		if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
			int fromAddress = this.failures.recordFailure(addressKey);
			int forClient = (clientKey != null) ? this.failures.recordFailure(clientKey) : 0;
			if (forClient == this.limits.clientFailures()) {
				logger.warn("Token endpoint: {} failed attempts for client '{}' from {}; refusing it there until the "
						+ "window ends", forClient, clientId, request.getRemoteAddr());
			}
			if (fromAddress == this.limits.addressFailures()) {
				logger.warn("Token endpoint: {} failed attempts from {}; refusing it until the window ends",
						fromAddress, request.getRemoteAddr());
			}
		}
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

	private static void error(HttpServletResponse response, int status, String error, String description)
			throws IOException {
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.getWriter()
			.write("{\"error\":\"" + error + "\",\"error_description\":\"" + json(description) + "\"}");
	}

	private static String json(String text) {
		StringBuilder builder = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				builder.append('\\');
			}
			builder.append((c < 0x20) ? '?' : c);
		}
		return builder.toString();
	}

}
