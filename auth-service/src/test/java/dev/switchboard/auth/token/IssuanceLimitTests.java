package dev.switchboard.auth.token;

import java.time.Duration;
import java.time.Instant;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Tokens issued per client and window, on every test database, with a clock moved by hand. */
@DatabaseTest
class IssuanceLimitTests {

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:15Z"));

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private IssuanceLimit limit;

	IssuanceLimitTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		this.limit = new IssuanceLimit(this.database.jdbc(), this.clock, Duration.ofMinutes(1), 3, this.meters);
	}

	@Test
	void whenAClientWasIssuedItsLimitThenTheNextTokenIsRefusedUntilTheWindowEnds() {
		for (int i = 0; i < 3; i++) {
			this.limit.acquire("demo");
		}
		this.clock.advance(Duration.ofSeconds(10));

		assertThatExceptionOfType(IssuanceLimit.ExceededException.class).isThrownBy(() -> this.limit.acquire("demo"))
			.satisfies((refused) -> {
				assertThat(refused.getError().getErrorCode()).isEqualTo("too_many_requests");
				assertThat(refused.reason()).isEqualTo("client 'demo' was issued 3 tokens in the current 60 s window");
				assertThat(refused.retryAfterSeconds()).isEqualTo(35);
			});
		assertThat(this.meters.get("switchboard.auth.token.issuance-limited").counter().count()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(35));
		this.limit.acquire("demo");
	}

	@Test
	void whenOneClientIsOverItsLimitThenOthersAreStillIssuedTokens() {
		for (int i = 0; i < 3; i++) {
			this.limit.acquire("busy");
		}

		this.limit.acquire("quiet");

		assertThatExceptionOfType(IssuanceLimit.ExceededException.class).isThrownBy(() -> this.limit.acquire("busy"));
	}

	@Test
	void whenTokensAreRefusedThenTheyAreNotCounted() {
		for (int i = 0; i < 3; i++) {
			this.limit.acquire("demo");
		}
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(IssuanceLimit.ExceededException.class)
				.isThrownBy(() -> this.limit.acquire("demo"));
		}

		assertThat(this.database.jdbc().queryForObject("SELECT issued FROM token_issues WHERE client_id = 'demo'",
				Integer.class))
			.isEqualTo(3);
	}

	@Test
	void whenAWindowEndedThenHousekeepingDeletesItsCounts() {
		this.limit.acquire("demo");
		this.limit.acquire("other");
		assertThat(this.limit.deleteExpired()).isZero();
		this.clock.advance(Duration.ofMinutes(1));
		this.limit.acquire("demo");

		assertThat(this.limit.deleteExpired()).isEqualTo(2);
	}

}
