package dev.switchboard.registry.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * Evicts instances whose lease expired, several times per heartbeat interval, so a silent instance is gone within TTL
 * plus one interval: first those whose streams this replica holds ({@link HeldLeases}, which also writes the
 * checkpoints due), then, among the partitions this replica owns, those no live replica holds. Runs on one scheduler
 * thread.
 */
public final class LeaseSweeper {

	private static final Logger logger = LoggerFactory.getLogger(LeaseSweeper.class);

	private final InstanceStore store;

	private final HeldLeases held;

	private final Duration ttl;

	private final Duration checkpointInterval;

	private final Counter evictions;

	/**
	 * @param checkpointInterval how often {@code held} writes the leases it holds, as the other replicas' do
	 */
	public LeaseSweeper(InstanceStore store, HeldLeases held, Duration ttl, Duration checkpointInterval,
			MeterRegistry meters) {
		this.store = Objects.requireNonNull(store, "store");
		this.held = Objects.requireNonNull(held, "held");
		this.ttl = Objects.requireNonNull(ttl, "ttl");
		this.checkpointInterval = Objects.requireNonNull(checkpointInterval, "checkpointInterval");
		this.evictions = Counter.builder("switchboard.registry.evictions")
			.description("Instances evicted because their lease expired")
			.register(meters);
	}

	/**
	 * Sweeps every {@code interval} on {@code scheduler} until it shuts down. A failed sweep is logged and the next
	 * one runs as planned.
	 */
	public void scheduleOn(TaskScheduler scheduler, Duration interval) {
		scheduler.scheduleWithFixedDelay(() -> {
			try {
				sweep();
			}
			catch (RuntimeException ex) {
				logger.warn("Lease sweep failed; retrying in {}", interval, ex);
			}
		}, Instant.now().plus(interval), interval);
	}

	/**
	 * Evicts what expired; returns the evicted instances. Each of the two sweeps runs whatever the other did: a
	 * checkpoint the cluster refuses must not stop the partitions' evictions, nor the other way round. A failure is
	 * thrown after both ran.
	 */
	public List<InstanceRecord> sweep() {
		List<InstanceRecord> evicted = new ArrayList<>();
		RuntimeException failure = null;
		try {
			evicted.addAll(this.held.sweep());
		}
		catch (RuntimeException ex) {
			failure = ex;
		}
		try {
			evicted.addAll(this.store.evictExpired(this.ttl, this.checkpointInterval));
		}
		catch (RuntimeException ex) {
			failure = HeldLeases.firstOr(failure, ex);
		}
		for (InstanceRecord record : evicted) {
			logger.info("Evicted {}/{} at {}:{}: no heartbeat for {}", record.group(), record.instanceId(),
					record.host(), record.port(), this.ttl);
		}
		this.evictions.increment(evicted.size());
		if (failure != null) {
			throw failure;
		}
		return evicted;
	}

}
