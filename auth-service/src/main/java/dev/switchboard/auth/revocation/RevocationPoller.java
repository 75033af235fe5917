package dev.switchboard.auth.revocation;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the revocation log of the shared database and hands every new event, in sequence order, to this replica's
 * listeners: first the caches, then the WatchRevocations hub, so a watcher that reacts to an event and asks again
 * gets a fresh answer.
 * <p>
 * It polls every interval, at once after a local commit appended events, and whenever a decision must be current
 * ({@link #catchUp()}). When events were lost (this replica was cut off longer than the log's retention), listeners
 * get one {@link RevocationEvent#everything} event instead. Thread-safe: one poll at a time; polls block on the
 * database.
 */
public final class RevocationPoller {

	private static final Logger logger = LoggerFactory.getLogger(RevocationPoller.class);

	private static final int BATCH = 500;

	private final RevocationStore store;

	private final List<RevocationListener> listeners;

	private final Clock clock;

	private final Object lock = new Object();

	/** Guarded by {@link #lock}. */
	private long processed;

	/** Guarded by {@link #lock}. */
	private boolean failing;

	/**
	 * @param processed the sequence already reflected in the listeners' state (events after it are delivered)
	 * @param listeners called in this order for every event
	 */
	public RevocationPoller(RevocationStore store, long processed, List<RevocationListener> listeners, Clock clock) {
		this.store = Objects.requireNonNull(store, "store");
		this.processed = processed;
		this.listeners = List.copyOf(listeners);
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Polls on {@code scheduler} every {@code intervalMillis}, and soon after each local append. */
	public void scheduleOn(ScheduledExecutorService scheduler, long intervalMillis) {
		scheduler.scheduleWithFixedDelay(this::pollQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
		this.store.onAppended(() -> scheduler.execute(this::pollQuietly));
	}

	/**
	 * Delivers every event committed before this call. Costs one indexed query when nothing is new.
	 */
	public void catchUp() {
		if (this.store.maxSequence() > processed()) {
			poll();
		}
	}

	/** Returns the sequence of the last event delivered. */
	public long processed() {
		synchronized (this.lock) {
			return this.processed;
		}
	}

	/** Reads and delivers every new event. */
	public void poll() {
		synchronized (this.lock) {
			List<RevocationEvent> events;
			do {
				events = this.store.eventsAfter(this.processed, BATCH);
				for (RevocationEvent event : events) {
					if (event.sequence() != this.processed + 1 && this.processed > 0) {
						logger.warn("Revocation events {} to {} are gone from the log; dropping every cached decision",
								this.processed + 1, event.sequence() - 1);
						deliver(RevocationEvent.everything(event.sequence() - 1, this.clock.instant()));
					}
					deliver(event);
					this.processed = event.sequence();
				}
			}
			while (events.size() == BATCH);
		}
	}

	private void deliver(RevocationEvent event) {
		for (RevocationListener listener : this.listeners) {
			try {
				listener.revoked(event);
			}
			catch (RuntimeException ex) {
				logger.error("Revocation listener {} failed on event {}", listener, event.sequence(), ex);
			}
		}
	}

	private void pollQuietly() {
		try {
			poll();
			synchronized (this.lock) {
				if (this.failing) {
					logger.info("Reading revocations again from sequence {}", this.processed);
					this.failing = false;
				}
			}
		}
		catch (RuntimeException ex) {
			synchronized (this.lock) {
				if (!this.failing) {
					logger.warn("Cannot read revocations; will retry: {}", ex.toString());
					this.failing = true;
				}
			}
		}
	}

}
