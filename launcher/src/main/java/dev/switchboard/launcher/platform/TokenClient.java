package dev.switchboard.launcher.platform;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.switchboard.launcher.LauncherException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gets an access token from an OAuth2 token endpoint with the client-credentials grant, as any client of the
 * platform would. Thread-safe.
 */
public final class TokenClient {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private TokenClient() {
	}

	/** A token of client {@code clientId} from {@code tokenUri}; the secret travels in the request's Basic header. */
	public static String token(URI tokenUri, String clientId, String clientSecret) {
		String basic = Base64.getEncoder()
			.encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
					+ URLEncoder.encode(clientSecret, StandardCharsets.UTF_8))
				.getBytes(StandardCharsets.UTF_8));
		try {
			HttpResponse<String> response = http.send(HttpRequest.newBuilder(tokenUri)
				.header("Authorization", "Basic " + basic)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.timeout(Duration.ofSeconds(10))
				.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				throw new LauncherException(tokenUri + " answered " + response.statusCode() + " for client "
						+ clientId);
			}
			JsonNode token = json.readTree(response.body()).path("access_token");
			if (!token.isString()) {
				throw new LauncherException(tokenUri + " answered without an access_token");
			}
			return token.asString();
		}
		catch (IOException ex) {
			throw new LauncherException("could not reach " + tokenUri + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
