package dev.switchboard.bench.load;

import java.util.Objects;

import org.HdrHistogram.Histogram;

/**
 * What a closed-loop unary load measured in its window.
 *
 * @param calls calls that completed OK in the window
 * @param seconds the window's length
 * @param latencyNanos the latency of those calls, in nanoseconds
 * @param errors calls that ended with another status, warm-up included
 * @param firstError the first of those statuses, or {@code null}
 */
public record UnaryResult(long calls, double seconds, Histogram latencyNanos, long errors, String firstError) {

	public UnaryResult {
		Objects.requireNonNull(latencyNanos, "latencyNanos");
	}

	public double callsPerSecond() {
		return this.calls / this.seconds;
	}

	/** Returns the latency at a percentile (0 to 100), in microseconds. */
	public double micros(double percentile) {
		return this.latencyNanos.getValueAtPercentile(percentile) / 1000.0;
	}

}
