package dev.switchboard.registry.lease;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * The lease renewals heard on this replica, coalesced: however many heartbeats an instance sends between two flushes,
 * the cluster gets one write of its latest renewal, batched with every other instance's, so a heartbeat costs no
 * distributed write of its own. Flushing every quarter of the heartbeat interval (at most 250 ms) keeps what the lease
 * sweeper reads at most that much older than the last heartbeat, so a live instance is never judged silent, and a
 * silent one is still evicted within TTL plus one interval.
 * <p>
 * Thread-safe: {@link #renew} from any thread, without blocking; {@link #flush} from one thread at a time.
 */
public final class LeaseRenewals {

	private static final Logger logger = LoggerFactory.getLogger(LeaseRenewals.class);

	private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

	private final Consumer<Map<String, Long>> writer;

	private final Clock clock;

	/**
	 * @param writer stores a batch of renewals (instance id to epoch millis) in the cluster; may block
	 * @param clock the clock renewals are stamped with, the one the sweeper judges them by
	 */
	public LeaseRenewals(Consumer<Map<String, Long>> writer, Clock clock) {
		this.writer = Objects.requireNonNull(writer, "writer");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Records that {@code instanceId} renewed its lease now; it reaches the cluster with the next flush. */
	public void renew(String instanceId) {
		this.pending.merge(instanceId, this.clock.millis(), Math::max);
	}

	/** Forgets a pending renewal, so that a removed instance's lease is not written again. */
	public void forget(String instanceId) {
		this.pending.remove(instanceId);
	}

	/** Returns the renewals not yet flushed. */
	public int pending() {
		return this.pending.size();
	}

	/**
	 * Writes every pending renewal in one batch. A renewal that arrives meanwhile stays for the next flush; a failed
	 * write puts the batch back (unless newer renewals came), so nothing heard is dropped.
	 * @return how many renewals were written
	 */
	public int flush() {
		Map<String, Long> batch = new HashMap<>(this.pending.size() * 2);
		for (Map.Entry<String, Long> entry : this.pending.entrySet()) {
			batch.put(entry.getKey(), entry.getValue());
		}
		// only the values taken leave the buffer: a newer renewal replaced one meanwhile stays
		batch.forEach(this.pending::remove);
		if (batch.isEmpty()) {
			return 0;
		}
		try {
			this.writer.accept(batch);
		}
		catch (RuntimeException ex) {
			batch.forEach((instanceId, at) -> this.pending.merge(instanceId, at, Math::max));
			throw ex;
		}
		return batch.size();
	}

	/**
	 * Flushes every {@code interval} on {@code scheduler} until it shuts down; a failed flush is logged and retried
	 * with the next.
	 */
	public void scheduleOn(TaskScheduler scheduler, Duration interval) {
		scheduler.scheduleWithFixedDelay(() -> {
			try {
				flush();
			}
			catch (RuntimeException ex) {
				logger.warn("Writing {} lease renewals failed; retrying in {}", this.pending.size(), interval, ex);
			}
		}, Instant.now().plus(interval), interval);
	}

}
