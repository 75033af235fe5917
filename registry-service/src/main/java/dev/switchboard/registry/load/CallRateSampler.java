package dev.switchboard.registry.load;

import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Turns the completed-calls counter an instance sends with every heartbeat into calls per second, and decides when
 * the rate has changed enough to be worth storing: by a tenth (at least half a call per second), or after
 * {@link #REFRESH_NANOS} without a store, so a steady rate is not written on every heartbeat. A rate of zero is never
 * refreshed, nor stored while nothing else was: a stored rate expires when no longer written, and a missing one reads
 * as zero, so an idle instance costs no write at all. One per heartbeat stream; not thread-safe (gRPC delivers a
 * stream's messages one at a time).
 */
public final class CallRateSampler {

	/** The longest a stored rate goes without being written again, even when steady. */
	public static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(20);

	private long lastTotal = -1;

	private long lastAtNanos;

	private double stored = -1;

	private long storedAtNanos;

	/**
	 * Takes one sample.
	 * @param total calls completed since the instance started, as it reported
	 * @param nowNanos a monotonic time ({@link System#nanoTime()})
	 * @return the rate to store, or empty when it has not changed enough (or this is the first sample)
	 */
	public OptionalDouble sample(long total, long nowNanos) {
		long previousTotal = this.lastTotal;
		long elapsed = nowNanos - this.lastAtNanos;
		this.lastTotal = total;
		this.lastAtNanos = nowNanos;
		if (previousTotal < 0 || total < previousTotal || elapsed <= 0) {
			// the first sample, or the instance restarted its counter: nothing to divide yet
			return OptionalDouble.empty();
		}
		double rate = (total - previousTotal) * 1e9 / elapsed;
		if (rate == 0 && this.stored <= 0) {
			// idle, and nothing but zero (or nothing) stored: what expires reads as zero
			return OptionalDouble.empty();
		}
		boolean changed = Math.abs(rate - this.stored) >= Math.max(0.5, this.stored * 0.1);
		if (!changed && nowNanos - this.storedAtNanos < REFRESH_NANOS) {
			return OptionalDouble.empty();
		}
		this.stored = rate;
		this.storedAtNanos = nowNanos;
		return OptionalDouble.of(rate);
	}

}
