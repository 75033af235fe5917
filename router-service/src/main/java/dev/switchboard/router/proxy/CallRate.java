package dev.switchboard.router.proxy;

import java.math.BigDecimal;

/**
 * How many calls one caller may make: {@code perSecond} sustained, and up to {@code burst} at once after it has been
 * idle (a token bucket of {@code burst} tokens refilled at {@code perSecond}). Immutable.
 *
 * @param perSecond the sustained rate, from 0.001 to 10^9 calls per second
 * @param burst the most calls at once, from 1 to 10^9
 */
public record CallRate(double perSecond, int burst) {

	/** The lowest rate: one call in about 17 minutes. */
	public static final double MIN_PER_SECOND = 0.001;

	/** The highest rate: one call per nanosecond, the clock's resolution. */
	public static final double MAX_PER_SECOND = 1_000_000_000;

	/** The largest burst. */
	public static final int MAX_BURST = 1_000_000_000;

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	/** Keeps {@code burst} intervals within a quarter of the clock's range, so nanosecond arithmetic never wraps. */
	private static final long MAX_TOLERANCE_NANOS = Long.MAX_VALUE / 4;

	public CallRate {
		if (!(perSecond >= MIN_PER_SECOND && perSecond <= MAX_PER_SECOND)) {
			throw new IllegalArgumentException("perSecond must be between " + MIN_PER_SECOND + " and "
					+ (long) MAX_PER_SECOND + ", not " + perSecond);
		}
		if (burst < 1 || burst > MAX_BURST) {
			throw new IllegalArgumentException("burst must be between 1 and " + MAX_BURST + ", not " + burst);
		}
	}

	/** Returns {@code perSecond} calls per second with a burst of one second's calls (at least one). */
	public static CallRate perSecond(double perSecond) {
		return new CallRate(perSecond, (int) Math.max(1, Math.min(MAX_BURST, Math.ceil(perSecond))));
	}

	/** Returns this rate with another burst. */
	public CallRate withBurst(int burst) {
		return new CallRate(this.perSecond, burst);
	}

	/** Returns the time one call's token takes to refill. */
	long intervalNanos() {
		return Math.max(1, Math.round(NANOS_PER_SECOND / this.perSecond));
	}

	/** Returns the time an empty bucket takes to fill, which is also how long a full one can serve ahead. */
	long toleranceNanos() {
		long interval = intervalNanos();
		return (this.burst > MAX_TOLERANCE_NANOS / interval) ? MAX_TOLERANCE_NANOS : this.burst * interval;
	}

	/** Returns the rate as callers read it, e.g. {@code 100 calls/s} or {@code 0.5 calls/s}. */
	String describe() {
		return BigDecimal.valueOf(this.perSecond).stripTrailingZeros().toPlainString() + " calls/s";
	}

}
