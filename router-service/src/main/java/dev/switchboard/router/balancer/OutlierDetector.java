package dev.switchboard.router.balancer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ejects a replica whose connections keep failing, before the registry notices: after {@code threshold} consecutive
 * failures it is ejected for a base time that doubles with each ejection (up to a maximum), then comes back with a
 * weight that ramps from 10% to 100% over the slow-start window. A success resets the failure count; a clean run as
 * long as the maximum ejection forgets past ejections.
 * <p>
 * Thread-safe and lock-free; races may eject a replica a little late or twice, never corrupt its state.
 */
public final class OutlierDetector {

	private final int threshold;

	private final long baseEjectionNanos;

	private final long maxEjectionNanos;

	private final long slowStartNanos;

	private final AtomicInteger consecutiveFailures = new AtomicInteger();

	private final AtomicInteger ejections = new AtomicInteger();

	/** When the current or last ejection ends; 0 when never ejected. */
	private final AtomicLong ejectedUntil = new AtomicLong();

	public OutlierDetector(int threshold, Duration baseEjection, Duration maxEjection, Duration slowStart) {
		this.threshold = threshold;
		this.baseEjectionNanos = baseEjection.toNanos();
		this.maxEjectionNanos = maxEjection.toNanos();
		this.slowStartNanos = slowStart.toNanos();
	}

	void succeeded() {
		if (this.consecutiveFailures.get() != 0) {
			this.consecutiveFailures.set(0);
		}
	}

	void failed(long nowNanos) {
		if (this.consecutiveFailures.incrementAndGet() < this.threshold || isEjected(nowNanos)) {
			return;
		}
		long until = this.ejectedUntil.get();
		if (until != 0 && nowNanos - until > this.maxEjectionNanos) {
			this.ejections.set(0); // a long clean run since the last ejection
		}
		int previous = Math.min(this.ejections.getAndIncrement(), 20);
		long duration = Math.min(this.maxEjectionNanos, this.baseEjectionNanos << previous);
		this.ejectedUntil.set(nowNanos + duration);
		this.consecutiveFailures.set(0);
	}

	/** Returns whether the replica is ejected at {@code nowNanos}. */
	public boolean isEjected(long nowNanos) {
		long until = this.ejectedUntil.get();
		return until != 0 && nowNanos - until < 0;
	}

	/**
	 * Returns the share of its weight the replica gets at {@code nowNanos}: 0 while ejected, ramping from 0.1 to 1
	 * during the slow start after an ejection, 1 otherwise.
	 */
	public double weightFactor(long nowNanos) {
		long until = this.ejectedUntil.get();
		if (until == 0) {
			return 1.0;
		}
		long since = nowNanos - until;
		if (since < 0) {
			return 0.0;
		}
		if (since >= this.slowStartNanos) {
			return 1.0;
		}
		return 0.1 + 0.9 * ((double) since / this.slowStartNanos);
	}

	/** Returns how many times the replica was ejected since its last long clean run. */
	public int ejections() {
		return this.ejections.get();
	}

}
