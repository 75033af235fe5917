package dev.switchboard.client.connection;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts events in one-second buckets over a fixed span, so that the number of events (and the average rate) of any
 * window up to the span can be read. The current, partial second is part of every window.
 * <p>
 * Thread-safe and lock-free: each bucket is one {@code long} holding its second and its count, updated by
 * compare-and-set, so a bucket is never reset under a concurrent increment. Reads cost one pass over the buckets.
 */
final class SlidingWindowCounter {

	private static final long COUNT_MASK = 0xFFFF_FFFFL;

	private final AtomicLongArray buckets;

	private final LongSupplier millis;

	/**
	 * @param span the longest window that can be read; whole seconds
	 * @param millis the current time in epoch milliseconds ({@code clock::millis}); tests pass one they move
	 */
	SlidingWindowCounter(Duration span, LongSupplier millis) {
		Objects.requireNonNull(span, "span");
		if (span.getSeconds() < 1) {
			throw new IllegalArgumentException("span must be at least one second: " + span);
		}
		this.buckets = new AtomicLongArray(Math.toIntExact(span.getSeconds()));
		this.millis = Objects.requireNonNull(millis, "millis");
	}

	/** Returns the longest window that can be read. */
	Duration span() {
		return Duration.ofSeconds(this.buckets.length());
	}

	/** Counts one event now. */
	void increment() {
		long second = second();
		int index = (int) (second % this.buckets.length());
		long stamp = second << 32;
		for (;;) {
			long bucket = this.buckets.get(index);
			long updated;
			if ((bucket & ~COUNT_MASK) == stamp) {
				if ((bucket & COUNT_MASK) == COUNT_MASK) {
					return; // saturated: four billion events in one second
				}
				updated = bucket + 1;
			}
			else {
				updated = stamp | 1;
			}
			if (this.buckets.compareAndSet(index, bucket, updated)) {
				return;
			}
		}
	}

	/** Returns the number of events in the last {@code window} (whole seconds, at most the span). */
	long sum(Duration window) {
		long seconds = windowSeconds(window);
		long now = second();
		long sum = 0;
		for (int i = 0; i < this.buckets.length(); i++) {
			long bucket = this.buckets.get(i);
			long age = (now - (bucket >>> 32)) & COUNT_MASK;
			if (age < seconds) {
				sum += bucket & COUNT_MASK;
			}
		}
		return sum;
	}

	/** Returns the average number of events per second over the last {@code window}. */
	double ratePerSecond(Duration window) {
		return (double) sum(window) / windowSeconds(window);
	}

	private long windowSeconds(Duration window) {
		Objects.requireNonNull(window, "window");
		long seconds = window.getSeconds();
		if (seconds < 1 || seconds > this.buckets.length()) {
			throw new IllegalArgumentException("window must be between 1s and " + span() + ": " + window);
		}
		return seconds;
	}

	/** The current epoch second, kept to 32 bits so it fits beside the count (wraps in 2106, harmlessly). */
	private long second() {
		return Math.floorDiv(this.millis.getAsLong(), 1000L) & COUNT_MASK;
	}

}
