package dev.switchboard.auth.token;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import dev.switchboard.auth.AuthProperties;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter before the token endpoint, on embedded H2, with a stand-in endpoint that refuses every secret and a clock
 * moved by hand.
 */
class TokenEndpointGuardTests {

	private static TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:15Z"));

	private TokenEndpointGuard guard;

	private int endpointCalls;

	@BeforeAll
	static void startDatabase() {
		database = TestDatabase.h2().start();
	}

	@AfterAll
	static void stopDatabase() throws Exception {
		database.close();
	}

	@BeforeEach
	void prepare() {
		database.prepare();
		AuthProperties.RateLimit limits = new AuthProperties.RateLimit(true, 3, 5, Duration.ofMinutes(1),
				Duration.ofMinutes(10), Duration.ofHours(24), 600);
		FailureCounter counter = new FailureCounter(database.jdbc(), this.clock, limits.window());
		Lockouts lockouts = new Lockouts(database.jdbc(), this.clock, limits.window(), limits.maxLockout(),
				limits.forgetAfter());
		this.guard = new TokenEndpointGuard(counter, lockouts, limits, new SimpleMeterRegistry());
	}

	private MockHttpServletResponse post(String address, String clientId, boolean basic) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
		request.setRemoteAddr(address);
		if (clientId != null && basic) {
			request.addHeader("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString((clientId + ":secret").getBytes(StandardCharsets.UTF_8)));
		}
		else if (clientId != null) {
			request.addParameter("client_id", clientId);
		}
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.guard.doFilter(request, response, new MockFilterChain(new HttpServlet() {
			@Override
			protected void service(HttpServletRequest req, HttpServletResponse res) {
				TokenEndpointGuardTests.this.endpointCalls++;
				res.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
			}
		}));
		return response;
	}

	@Test
	void whenClientFailedTooOftenFromAnAddressThenItIsRefusedThereWithoutReachingTheEndpoint() throws Exception {
		for (int i = 0; i < 3; i++) {
			assertThat(post("10.0.0.1", "victim", i % 2 == 0).getStatus()).isEqualTo(401);
		}

		MockHttpServletResponse refused = post("10.0.0.1", "victim", true);

		assertThat(refused.getStatus()).isEqualTo(429);
		assertThat(refused.getHeader("Retry-After")).isEqualTo("60");
		assertThat(refused.getContentAsString()).isEqualTo("{\"error\":\"too_many_requests\",\"error_description\":"
				+ "\"too many failed attempts for client 'victim' from 10.0.0.1; retry in 60 s\"}");
		assertThat(this.endpointCalls).isEqualTo(3);
		assertThat(post("10.0.0.1", "someone-else", true).getStatus()).isEqualTo(401);
	}

	@Test
	void whenAnAttackerFailsForAClientThenTheClientFromElsewhereIsNotLockedOut() throws Exception {
		for (int i = 0; i < 3; i++) {
			assertThat(post("10.0.0.66", "router", true).getStatus()).isEqualTo(401);
		}
		assertThat(post("10.0.0.66", "router", true).getStatus()).isEqualTo(429);

		// the router's own processes, on another address, still reach the endpoint
		assertThat(post("10.0.0.5", "router", true).getStatus()).isEqualTo(401);
		assertThat(this.endpointCalls).isEqualTo(4);
	}

	@Test
	void whenAddressFailedTooOftenThenEveryClientIdFromItIsRefused() throws Exception {
		for (int i = 0; i < 5; i++) {
			assertThat(post("10.0.0.9", "guess-" + i, true).getStatus()).isEqualTo(401);
		}

		MockHttpServletResponse refused = post("10.0.0.9", "fresh-id", true);

		assertThat(refused.getStatus()).isEqualTo(429);
		assertThat(refused.getContentAsString()).contains("too many failed attempts from 10.0.0.9");
		assertThat(post("10.0.0.10", "fresh-id", true).getStatus()).isEqualTo(401);
	}

	@Test
	void whenAClientIsLockedOutAgainAfterItsLockoutThenEachLockoutLastsTwiceAsLongUpToTheMaximum() throws Exception {
		long[] expected = { 60, 120, 240, 480, 600, 600 };
		for (long lockout : expected) {
			for (int i = 0; i < 3; i++) {
				assertThat(post("10.0.0.66", "router", true).getStatus()).isEqualTo(401);
			}
			this.clock.advance(Duration.ofSeconds(1));

			MockHttpServletResponse refused = post("10.0.0.66", "router", true);

			assertThat(refused.getStatus()).isEqualTo(429);
			assertThat(refused.getHeader("Retry-After")).isEqualTo(Long.toString(lockout - 1));
			assertThat(refused.getContentAsString()).contains("retry in " + (lockout - 1) + " s");
			this.clock.advance(Duration.ofSeconds(lockout - 2));
			assertThat(post("10.0.0.66", "router", true).getHeader("Retry-After")).isEqualTo("1");
			this.clock.advance(Duration.ofSeconds(1));
		}
		assertThat(this.endpointCalls).isEqualTo(3 * expected.length);
	}

	@Test
	void whenAClientStayedOutOfTroubleForTheForgivenessPeriodThenItsNextLockoutIsAFirstOneAgain() throws Exception {
		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < 3; i++) {
				post("10.0.0.66", "router", true);
			}
			this.clock.advance(Duration.ofMinutes(10));
		}
		this.clock.advance(Duration.ofHours(24));
		for (int i = 0; i < 3; i++) {
			assertThat(post("10.0.0.66", "router", true).getStatus()).isEqualTo(401);
		}

		assertThat(post("10.0.0.66", "router", true).getHeader("Retry-After")).isEqualTo("60");
	}

	@Test
	void whenAnAttackerIsLockedOutLongerAndLongerThenTheClientFromElsewhereIsNeverRefused() throws Exception {
		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < 3; i++) {
				post("10.0.0.66", "router", true);
			}
			assertThat(post("10.0.0.66", "router", true).getStatus()).isEqualTo(429);

			assertThat(post("10.0.0.5", "router", true).getStatus()).isEqualTo(401);
			this.clock.advance(Duration.ofMinutes(10));
		}
		assertThat(this.endpointCalls).isEqualTo(3 * 3 + 3);
	}

	@Test
	void whenBothTheClientAndItsAddressAreLockedOutThenTheLongerLockoutIsTheAnswer() throws Exception {
		for (int i = 0; i < 5; i++) {
			post("10.0.0.9", "guess-" + i, true);
		}
		this.clock.advance(Duration.ofMinutes(1));
		for (int i = 0; i < 3; i++) {
			post("10.0.0.9", "victim", true);
		}
		// the address's second lockout (120 s) outlasts the client's first (60 s)
		post("10.0.0.9", "other-1", true);
		post("10.0.0.9", "other-2", true);

		MockHttpServletResponse refused = post("10.0.0.9", "victim", true);

		assertThat(refused.getHeader("Retry-After")).isEqualTo("120");
		assertThat(refused.getContentAsString()).contains("too many failed attempts from 10.0.0.9; retry in 120 s");
	}

	@Test
	void whenCredentialsAreMalformedThenBadRequestWithAReason() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/oauth2/token");
		request.addHeader("Authorization", "Basic %%%");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.guard.doFilter(request, response, new MockFilterChain());

		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getContentAsString()).contains("basic credentials are not Base64");
		assertThat(post("10.0.0.1", "quote\"id", false).getContentAsString())
			.contains("client id 'quote\\\"id' may only hold");
		assertThat(this.endpointCalls).isZero();
	}

}
