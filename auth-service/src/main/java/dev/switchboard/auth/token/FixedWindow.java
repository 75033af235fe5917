package dev.switchboard.auth.token;

import java.time.Duration;

/**
 * Fixed counting windows of one length, aligned on the epoch, so every replica agrees on them from its clock alone.
 * Immutable.
 *
 * @param millis the length of a window
 */
record FixedWindow(long millis) {

	FixedWindow {
		if (millis < 1) {
			throw new IllegalArgumentException("a window lasts at least 1 ms, not " + millis);
		}
	}

	static FixedWindow of(Duration length) {
		return new FixedWindow(length.toMillis());
	}

	/** Returns the start (epoch millis) of the window holding {@code now}. */
	long start(long now) {
		return now - Math.floorMod(now, this.millis);
	}

	/** Returns the whole seconds from {@code now} until the window holding it ends, at least one. */
	long secondsLeft(long now) {
		return Math.max(1, (start(now) + this.millis - now + 999) / 1000);
	}

}
