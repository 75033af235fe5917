package dev.switchboard.common.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand. Thread-safe. */
final class MutableClock extends Clock {

	private final AtomicLong millis;

	MutableClock(Instant start) {
		this.millis = new AtomicLong(start.toEpochMilli());
	}

	static MutableClock startingAt(String instant) {
		return new MutableClock(Instant.parse(instant));
	}

	void advance(Duration duration) {
		this.millis.addAndGet(duration.toMillis());
	}

	@Override
	public long millis() {
		return this.millis.get();
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(millis());
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException();
	}

}
