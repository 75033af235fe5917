package dev.switchboard.bench.platform;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.Metadata;

/**
 * What tests and benchmarks need to act as the platform's clients: the bootstrap credentials file, tokens from the
 * auth service's token endpoint, and the header that carries them.
 */
public final class PlatformClients {

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private static final HttpClient http = HttpClient.newHttpClient();

	private PlatformClients() {
	}

	/** Reads a {@code KEY=value} file such as the auth service's bootstrap credentials. */
	public static Map<String, String> readEnvFile(Path file) throws IOException {
		Map<String, String> values = new HashMap<>();
		for (String line : Files.readAllLines(file)) {
			int equals = line.indexOf('=');
			if (equals > 0) {
				values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
			}
		}
		return values;
	}

	/** Asks the token endpoint for a client-credentials token, whatever the answer. */
	public static HttpResponse<String> tokenResponse(URI tokenUri, String clientId, String secret)
			throws IOException, InterruptedException {
		String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		return http.send(HttpRequest.newBuilder(tokenUri)
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** Returns a token for the client, or fails naming the HTTP status. */
	public static String token(URI tokenUri, String clientId, String secret) throws IOException, InterruptedException {
		HttpResponse<String> response = tokenResponse(tokenUri, clientId, secret);
		Matcher token = ACCESS_TOKEN.matcher(response.body());
		if (response.statusCode() != 200 || !token.find()) {
			throw new IllegalStateException("no token for " + clientId + ": HTTP " + response.statusCode() + " "
					+ response.body());
		}
		return token.group(1);
	}

	/** Returns metadata carrying {@code authorization: Bearer <token>}. */
	public static Metadata bearer(String token) {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);
		return headers;
	}

}
