package dev.switchboard.auth.token;

import java.time.Duration;
import java.time.Instant;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Failed token request counts, on every test database. */
@DatabaseTest
class FailureCounterTests {

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:15Z"));

	private FailureCounter counter;

	FailureCounterTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		this.counter = new FailureCounter(this.database.jdbc(), this.clock, Duration.ofMinutes(1));
	}

	@Test
	void whenFailuresRecordedThenTheyAreCountedPerKeyWithinTheWindow() {
		assertThat(this.counter.recordFailure("client:a@1.2.3.4")).isEqualTo(1);
		assertThat(this.counter.recordFailure("client:a@1.2.3.4")).isEqualTo(2);
		assertThat(this.counter.recordFailure("address:1.2.3.4")).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(44));

		assertThat(this.counter.recordFailure("client:a@1.2.3.4")).isEqualTo(3);
		assertThat(this.counter.deleteExpired()).isZero();
	}

	@Test
	void whenWindowEndsThenCountsStartAgainAndOldOnesAreDeleted() {
		this.counter.recordFailure("client:a@1.2.3.4");
		this.counter.recordFailure("client:a@1.2.3.4");
		this.clock.advance(Duration.ofSeconds(45));

		assertThat(this.counter.recordFailure("client:a@1.2.3.4")).isEqualTo(1);
		assertThat(this.counter.deleteExpired()).isEqualTo(1);
	}

}
