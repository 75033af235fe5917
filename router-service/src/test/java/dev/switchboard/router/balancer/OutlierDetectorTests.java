package dev.switchboard.router.balancer;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutlierDetectorTests {

	private static final long SECOND = 1_000_000_000L;

	private final OutlierDetector detector = new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60),
			Duration.ofSeconds(10));

	@Test
	void whenFailuresBelowThresholdThenNotEjected() {
		this.detector.failed(0);
		this.detector.failed(0);
		assertThat(this.detector.isEjected(0)).isFalse();
		this.detector.succeeded();
		this.detector.failed(0);
		this.detector.failed(0);
		assertThat(this.detector.isEjected(0)).isFalse();
	}

	@Test
	void whenThresholdReachedThenEjectedForBaseTimeThenRampsBack() {
		fail(3, 0);
		assertThat(this.detector.isEjected(4 * SECOND)).isTrue();
		assertThat(this.detector.weightFactor(4 * SECOND)).isZero();
		assertThat(this.detector.isEjected(5 * SECOND)).isFalse();
		assertThat(this.detector.weightFactor(5 * SECOND)).isEqualTo(0.1);
		assertThat(this.detector.weightFactor(10 * SECOND)).isBetween(0.5, 0.6);
		assertThat(this.detector.weightFactor(15 * SECOND)).isEqualTo(1.0);
	}

	@Test
	void whenEjectedAgainThenEjectionDoublesUpToTheMaximum() {
		fail(3, 0);
		fail(3, 6 * SECOND);
		assertThat(this.detector.isEjected(15 * SECOND)).isTrue();
		assertThat(this.detector.isEjected(16 * SECOND)).isFalse();
		long t = 16 * SECOND;
		for (int i = 0; i < 6; i++) {
			fail(3, t);
			t += 61 * SECOND; // past any ejection
		}
		assertThat(this.detector.ejections()).isGreaterThan(0);
	}

	@Test
	void whenCleanForLongerThanMaxEjectionThenHistoryForgotten() {
		fail(3, 0);
		fail(3, 6 * SECOND);
		assertThat(this.detector.ejections()).isEqualTo(2);
		fail(3, 200 * SECOND);
		assertThat(this.detector.ejections()).isEqualTo(1);
		assertThat(this.detector.isEjected(204 * SECOND)).isTrue();
		assertThat(this.detector.isEjected(205 * SECOND)).isFalse();
	}

	private void fail(int times, long at) {
		for (int i = 0; i < times; i++) {
			this.detector.failed(at);
		}
	}

}
