package dev.switchboard.component.load;

import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The load a component reports with every heartbeat: calls in flight now, and calls completed since it started (the
 * registry derives calls per second from the latter).
 */
public interface CallLoad {

	/** Returns the number of calls started and not yet completed or cancelled. */
	int inFlight();

	/** Returns the number of calls completed or cancelled since the process started; never decreases. */
	long completed();

	/**
	 * Returns a load read from two suppliers.
	 * @param inFlight calls in flight
	 * @param completed calls completed so far
	 * @return the load
	 */
	static CallLoad of(IntSupplier inFlight, LongSupplier completed) {
		Objects.requireNonNull(inFlight, "inFlight");
		Objects.requireNonNull(completed, "completed");
		return new CallLoad() {

			@Override
			public int inFlight() {
				return inFlight.getAsInt();
			}

			@Override
			public long completed() {
				return completed.getAsLong();
			}

		};
	}

}
