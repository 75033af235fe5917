package dev.switchboard.client.auth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Client-credentials tokens against a real HTTP token endpoint: cached until a fifth of the lifetime is left, the next
 * endpoint asked while one is unreachable, a refusal reported as it is.
 */
class TokenSourceTests {

	private final AtomicInteger issued = new AtomicInteger();

	private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");

	private HttpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(0);
		}
	}

	@Test
	void tokenIsCachedUntilAFifthOfItsLifetimeIsLeft() throws Exception {
		TokenSource source = new TokenSource(List.of(start(200)), "demo", "secret", this.clock);
		assertThat(source.token()).isEqualTo("token-1");
		this.clock.advance(Duration.ofSeconds(47));
		assertThat(source.token()).isEqualTo("token-1");
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(source.token()).isEqualTo("token-2");
	}

	@Test
	void whenFirstEndpointIsUnreachableThenTheNextOneIsAsked() throws Exception {
		URI live = start(200);
		TokenSource source = new TokenSource(List.of(unreachable(), live), "demo", "secret", this.clock);
		assertThat(source.token()).isEqualTo("token-1");
		assertThat(source.clientId()).isEqualTo("demo");
	}

	@Test
	void whenEndpointRefusesThenThatIsTheAnswer() throws Exception {
		TokenSource source = new TokenSource(List.of(start(401), unreachable()), "demo", "wrong", this.clock);
		assertThatExceptionOfType(TokenSource.TokenUnavailableException.class).isThrownBy(source::token)
			.withMessageContaining("refused client 'demo': HTTP 401");
	}

	@Test
	void whenNoEndpointAnswersThenUnavailable() throws Exception {
		TokenSource source = new TokenSource(List.of(unreachable(), unreachable()), "demo", "secret", this.clock);
		assertThatExceptionOfType(TokenSource.TokenUnavailableException.class).isThrownBy(source::token)
			.withMessageContaining("unreachable");
	}

	private URI start(int status) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/oauth2/token", (exchange) -> {
			byte[] body = (status == 200)
					? ("{\"access_token\":\"token-" + this.issued.incrementAndGet()
							+ "\",\"token_type\":\"Bearer\",\"expires_in\":60}")
						.getBytes(StandardCharsets.UTF_8)
					: "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(status, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		this.server.start();
		return URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + "/oauth2/token");
	}

	/** A port nothing listens on: bound, then released. */
	private static URI unreachable() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/oauth2/token");
		}
	}

}
