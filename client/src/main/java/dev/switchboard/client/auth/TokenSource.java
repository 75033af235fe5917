package dev.switchboard.client.auth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Gets OAuth2 client-credentials access tokens from the auth service's token endpoint and keeps one until a fifth of
 * its lifetime is left, then fetches the next. Thread-safe; {@link #token()} blocks on the HTTP call only when it has
 * to fetch, and concurrent callers then wait for the same fetch.
 */
public final class TokenSource {

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");

	private final List<URI> tokenUris;

	/** The endpoint that answered last; tried first next time. */
	private volatile int preferred;

	private final String clientId;

	private final String clientSecret;

	private final HttpClient http;

	private final Clock clock;

	private volatile @Nullable Token current;

	/**
	 * @param tokenUris the token endpoints of the auth replicas, e.g. {@code http://127.0.0.1:8102/oauth2/token};
	 * tried in turn while one is unreachable
	 * @param clientId the client to get tokens for
	 * @param clientSecret its secret, sent with HTTP basic
	 * @param clock tells when a token is due for renewal
	 */
	public TokenSource(List<URI> tokenUris, String clientId, String clientSecret, Clock clock) {
		this.tokenUris = List.copyOf(tokenUris);
		if (this.tokenUris.isEmpty()) {
			throw new IllegalArgumentException("no token endpoint");
		}
		this.clientId = Objects.requireNonNull(clientId, "clientId");
		this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
	}

	/** Returns the client id tokens are fetched for. */
	public String clientId() {
		return this.clientId;
	}

	/**
	 * Returns a token with at least a fifth of its lifetime left, fetching one when needed.
	 * @throws TokenUnavailableException when the endpoint cannot be reached or refuses the client
	 */
	public String token() {
		Token token = this.current;
		if (token != null && token.fresh(this.clock.instant())) {
			return token.value();
		}
		synchronized (this) {
			token = this.current;
			if (token == null || !token.fresh(this.clock.instant())) {
				token = fetch();
				this.current = token;
			}
			return token.value();
		}
	}

	/** Forgets the current token, so the next call fetches a new one (after the old one was refused). */
	public void invalidate() {
		this.current = null;
	}

	/** Asks each endpoint in turn, from the one that answered last, until one is reachable. */
	private Token fetch() {
		TokenUnavailableException unreachable = null;
		int first = this.preferred;
		for (int i = 0; i < this.tokenUris.size(); i++) {
			int index = (first + i) % this.tokenUris.size();
			try {
				Token token = fetch(this.tokenUris.get(index));
				this.preferred = index;
				return token;
			}
			catch (EndpointUnreachableException ex) {
				unreachable = ex;
			}
		}
		throw unreachable;
	}

	private Token fetch(URI tokenUri) {
		String basic = Base64.getEncoder()
			.encodeToString((encode(this.clientId) + ":" + encode(this.clientSecret)).getBytes(StandardCharsets.UTF_8));
		HttpRequest request = HttpRequest.newBuilder(tokenUri)
			.timeout(Duration.ofSeconds(5))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
			.build();
		HttpResponse<String> response;
		try {
			response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new EndpointUnreachableException("token endpoint " + tokenUri + " unreachable: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TokenUnavailableException("interrupted while fetching a token", ex);
		}
		if (response.statusCode() != 200) {
			throw new TokenUnavailableException("token endpoint refused client '" + this.clientId + "': HTTP "
					+ response.statusCode(), null);
		}
		// the standard token response (RFC 6749 section 5.1); two fields are all a client needs from it
		Matcher token = ACCESS_TOKEN.matcher(response.body());
		Matcher expires = EXPIRES_IN.matcher(response.body());
		if (!token.find()) {
			throw new TokenUnavailableException("token endpoint answered without an access_token", null);
		}
		long lifetime = expires.find() ? Long.parseLong(expires.group(1)) : 60;
		Instant now = this.clock.instant();
		return new Token(token.group(1), now.plusSeconds(lifetime - lifetime / 5));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	/** An endpoint that did not answer, as opposed to one that refused: the next endpoint may answer. */
	private static final class EndpointUnreachableException extends TokenUnavailableException {

		EndpointUnreachableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

	private record Token(String value, Instant renewAt) {

		boolean fresh(Instant now) {
			return now.isBefore(this.renewAt);
		}

		@Override
		public String toString() {
			return "Token[renewAt=" + this.renewAt + "]";
		}

	}

	/** The token endpoint could not give a token. */
	public static class TokenUnavailableException extends RuntimeException {

		TokenUnavailableException(String message, @Nullable Throwable cause) {
			super(message, cause);
		}

	}

}
