package dev.switchboard.bench.load;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a load runs: a warm-up whose calls are not counted, then the measured window.
 *
 * @param warmUp the time before the window
 * @param measure the window's length
 */
public record Phases(Duration warmUp, Duration measure) {

	public Phases {
		Objects.requireNonNull(warmUp, "warmUp");
		Objects.requireNonNull(measure, "measure");
		if (warmUp.isNegative() || measure.isNegative() || measure.isZero()) {
			throw new IllegalArgumentException("bad phases: warm-up " + warmUp + ", measure " + measure);
		}
	}

	public static Phases of(long warmUpSeconds, long measureSeconds) {
		return new Phases(Duration.ofSeconds(warmUpSeconds), Duration.ofSeconds(measureSeconds));
	}

}
