package dev.switchboard.client.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SlidingWindowCounterTests {

	private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00.500Z");

	private final SlidingWindowCounter counter = new SlidingWindowCounter(Duration.ofMinutes(5), this.clock::millis);

	@Test
	void whenEventsAreWithinTheWindowThenTheyAreCountedIncludingTheCurrentSecond() {
		this.counter.increment();
		this.clock.advance(Duration.ofSeconds(30));
		this.counter.increment();
		this.counter.increment();
		assertThat(this.counter.sum(Duration.ofMinutes(1))).isEqualTo(3);
		assertThat(this.counter.sum(Duration.ofSeconds(1))).isEqualTo(2);
		assertThat(this.counter.ratePerSecond(Duration.ofMinutes(1))).isEqualTo(3 / 60.0);
	}

	@Test
	void whenEventsAgeOutOfTheWindowThenTheyAreNoLongerCounted() {
		this.counter.increment();
		this.clock.advance(Duration.ofSeconds(59));
		assertThat(this.counter.sum(Duration.ofMinutes(1))).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.counter.sum(Duration.ofMinutes(1))).isZero();
		assertThat(this.counter.sum(Duration.ofMinutes(5))).isEqualTo(1);
		this.clock.advance(Duration.ofMinutes(4));
		assertThat(this.counter.sum(Duration.ofMinutes(5))).isZero();
	}

	@Test
	void whenABucketIsReusedAfterTheSpanThenItsOldCountIsDiscarded() {
		for (int i = 0; i < 7; i++) {
			this.counter.increment();
		}
		this.clock.advance(Duration.ofMinutes(5)); // same bucket index, next lap
		this.counter.increment();
		assertThat(this.counter.sum(Duration.ofMinutes(5))).isEqualTo(1);
	}

	@Test
	void whenTheWindowIsOutsideTheSpanThenItIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.counter.sum(Duration.ofMinutes(6)))
			.withMessageContaining("window must be between 1s and PT5M");
		assertThatIllegalArgumentException().isThrownBy(() -> this.counter.sum(Duration.ofMillis(500)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SlidingWindowCounter(Duration.ZERO, this.clock::millis));
	}

	@Test
	void whenManyThreadsIncrementAcrossSecondsThenNoEventIsLost() throws Exception {
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			threads.add(Thread.ofPlatform().start(() -> {
				for (int i = 0; i < 10_000; i++) {
					this.counter.increment();
					if (i % 1_000 == 0) {
						this.clock.advance(Duration.ofMillis(100));
					}
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		assertThat(this.counter.sum(Duration.ofMinutes(5))).isEqualTo(80_000);
	}

}
