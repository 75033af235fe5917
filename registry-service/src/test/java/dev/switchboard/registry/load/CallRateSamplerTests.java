package dev.switchboard.registry.load;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CallRateSamplerTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private final CallRateSampler sampler = new CallRateSampler();

	@Test
	void firstSampleHasNothingToDivide() {
		assertThat(this.sampler.sample(1_000, 0)).isEmpty();
	}

	@Test
	void rateIsCompletedCallsOverElapsedTime() {
		this.sampler.sample(1_000, 0);
		assertThat(this.sampler.sample(1_250, SECOND / 2)).hasValue(500.0);
	}

	@Test
	void steadyRateIsStoredAgainOnlyAfterTheRefreshPeriod() {
		this.sampler.sample(0, 0);
		assertThat(this.sampler.sample(100, SECOND)).hasValue(100.0);
		assertThat(this.sampler.sample(205, 2 * SECOND)).isEmpty();
		assertThat(this.sampler.sample(300, 3 * SECOND)).isEmpty();
		long later = 3 * SECOND + CallRateSampler.REFRESH_NANOS;
		assertThat(this.sampler.sample(300 + 100 * 20, later)).hasValue(100.0);
	}

	@Test
	void aChangeOfATenthIsStored() {
		this.sampler.sample(0, 0);
		this.sampler.sample(100, SECOND);
		assertThat(this.sampler.sample(220, 2 * SECOND)).hasValue(120.0);
		assertThat(this.sampler.sample(220, 3 * SECOND)).hasValue(0.0);
	}

	@Test
	void anIdleInstanceIsNeverStoredAndAZeroRateNeverRefreshed() {
		this.sampler.sample(0, 0);
		for (int second = 1; second <= 60; second++) {
			assertThat(this.sampler.sample(0, second * SECOND)).as("idle at %d s", second).isEmpty();
		}
		assertThat(this.sampler.sample(100, 61 * SECOND)).hasValue(100.0);
		assertThat(this.sampler.sample(100, 62 * SECOND)).hasValue(0.0);
		assertThat(this.sampler.sample(100, 62 * SECOND + CallRateSampler.REFRESH_NANOS)).isEmpty();
	}

	@Test
	void aCounterThatWentBackwardsStartsOver() {
		this.sampler.sample(5_000, 0);
		assertThat(this.sampler.sample(10, SECOND)).isEmpty();
		assertThat(this.sampler.sample(60, 2 * SECOND)).hasValue(50.0);
	}

}
