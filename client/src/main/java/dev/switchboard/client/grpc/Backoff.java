package dev.switchboard.client.grpc;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt {@code n} waits a random time in {@code [0, min(max, initial * 2^n)]}.
 * Not thread-safe; each reconnect loop owns one.
 */
public final class Backoff {

	private final long initialMillis;

	private final long maxMillis;

	private final RandomGenerator random;

	private int attempt;

	/**
	 * @param initial the ceiling of the first wait
	 * @param max the largest ceiling
	 * @param random the source of jitter; seed it in tests
	 */
	public Backoff(Duration initial, Duration max, RandomGenerator random) {
		this.initialMillis = Math.max(1, initial.toMillis());
		this.maxMillis = Math.max(this.initialMillis, max.toMillis());
		this.random = Objects.requireNonNull(random, "random");
	}

	/** Returns the next wait and advances the attempt count. */
	public Duration next() {
		long ceiling = (this.attempt >= 30) ? this.maxMillis
				: Math.min(this.maxMillis, this.initialMillis << this.attempt);
		this.attempt++;
		return Duration.ofMillis(this.random.nextLong(ceiling + 1));
	}

	/** Starts again from the first attempt, after a success. */
	public void reset() {
		this.attempt = 0;
	}

	/** Returns the number of waits handed out since the last reset. */
	public int attempts() {
		return this.attempt;
	}

}
