package dev.switchboard.auth.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Writes the token endpoint's own refusals as Spring Authorization Server writes its errors: an RFC 6749 error object
 * with a one-line {@code error_description}, never cached. Stateless.
 */
final class TokenErrorResponses {

	/** The error of a refusal for too many requests (RFC 6585 status 429); OAuth 2.0 defines no code of its own. */
	static final String TOO_MANY_REQUESTS = "too_many_requests";

	private TokenErrorResponses() {
	}

	/**
	 * Answers 429 with {@code Retry-After}; the description gets "; retry in N s" appended, so both say the same.
	 */
	static void tooManyRequests(HttpServletResponse response, long retryAfterSeconds, String reason)
			throws IOException {
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
		write(response, 429, TOO_MANY_REQUESTS, reason + "; retry in " + retryAfterSeconds + " s");
	}

	static void write(HttpServletResponse response, int status, String error, String description) throws IOException {
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
