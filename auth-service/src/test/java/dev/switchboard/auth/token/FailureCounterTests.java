package dev.switchboard.auth.token;

import java.time.Duration;
import java.time.Instant;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.common.testing.MutableClock;
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
		assertThat(this.counter.recordFailure("client:a")).isEqualTo(1);
		assertThat(this.counter.recordFailure("client:a")).isEqualTo(2);
		this.counter.recordFailure("address:1.2.3.4");

		assertThat(this.counter.failures("client:a", "address:1.2.3.4")).containsEntry("client:a", 2)
			.containsEntry("address:1.2.3.4", 1);
		assertThat(this.counter.failures("client:b", null)).isEmpty();
		assertThat(this.counter.retryAfterSeconds()).isEqualTo(45);
	}

	@Test
	void whenWindowEndsThenCountsStartAgainAndOldOnesAreDeleted() {
		this.counter.recordFailure("client:a");
		this.clock.advance(Duration.ofMinutes(1));

		assertThat(this.counter.failures("client:a", null)).isEmpty();
		assertThat(this.counter.deleteExpired()).isEqualTo(1);
	}

}
