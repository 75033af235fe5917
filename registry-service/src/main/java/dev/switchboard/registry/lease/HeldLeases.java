package dev.switchboard.registry.lease;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;

/**
 * The leases of the instances whose heartbeat streams this replica holds, judged here by this replica's clock: a
 * heartbeat renews its lease by writing the time into this replica's memory, with no cluster call, and a lease not
 * renewed for the TTL is evicted by the next sweep, so a silent instance goes within TTL plus one sweep interval.
 * <p>
 * The cluster learns that this replica holds a lease when the stream's first beat is applied, then once every
 * checkpoint interval, in one batch for every lease due; that keeps the renewal times other replicas report close
 * and lets a partition's owner evict a lease whose holder lost track of it. When a stream ends, its lease is handed
 * back to the cluster renewed at its last beat, where the partition's owner judges it as any lease no replica holds:
 * another replica's stream takes it within the TTL, or it expires. When this replica is lost, the survivors grant the
 * leases it held two TTLs from the moment they notice (see {@link InstanceStore#evictExpired}).
 * <p>
 * Thread-safe: {@link #hold} and {@link Hold#renew} from any thread, without blocking; {@link #sweep} from one thread
 * at a time.
 */
public final class HeldLeases {

	private final ConcurrentHashMap<String, Hold> held = new ConcurrentHashMap<>();

	private final InstanceStore store;

	private final Clock clock;

	private final Duration ttl;

	private final Duration checkpointInterval;

	/**
	 * @param store where leases are written, released and evicted
	 * @param clock the clock beats are stamped with and leases judged by
	 * @param ttl how long after its last beat an instance is evicted
	 * @param checkpointInterval how often each held lease is written to the cluster
	 */
	public HeldLeases(InstanceStore store, Clock clock, Duration ttl, Duration checkpointInterval) {
		this.store = Objects.requireNonNull(store, "store");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.ttl = Objects.requireNonNull(ttl, "ttl");
		this.checkpointInterval = Objects.requireNonNull(checkpointInterval, "checkpointInterval");
	}

	/**
	 * Holds an instance's lease for a stream, renewed now; a hold another stream of this replica had on it is
	 * dropped (its later beats and release change nothing).
	 */
	public Hold hold(String instanceId) {
		Hold hold = new Hold(instanceId, this.clock.millis());
		this.held.put(instanceId, hold);
		return hold;
	}

	/** Drops the hold on a removed instance's lease, so that it is neither written nor evicted again. */
	public void forget(String instanceId) {
		this.held.remove(instanceId);
	}

	/** Returns how many leases this replica holds. */
	public int size() {
		return this.held.size();
	}

	/** Returns when this replica last heard from an instance whose lease it holds. */
	public OptionalLong lastBeat(String instanceId) {
		Hold hold = this.held.get(instanceId);
		return (hold != null) ? OptionalLong.of(hold.renewedMillis) : OptionalLong.empty();
	}

	/**
	 * Returns when each of {@code instanceIds} last renewed its lease, in epoch millis: exact for the leases held
	 * here, the last checkpoint for those another replica holds.
	 */
	public Map<String, Long> renewals(Set<String> instanceIds) {
		return withHeld(this.store.leaseRenewals(instanceIds));
	}

	/** Returns when each instance last renewed its lease, as {@link #renewals(Set)} does. */
	public Map<String, Long> renewals() {
		return withHeld(this.store.leaseRenewals());
	}

	private Map<String, Long> withHeld(Map<String, Long> written) {
		Map<String, Long> renewals = new HashMap<>(written);
		renewals.replaceAll((instanceId, millis) -> {
			Hold hold = this.held.get(instanceId);
			return (hold != null) ? Math.max(millis, hold.renewedMillis) : millis;
		});
		return renewals;
	}

	/**
	 * Evicts the instances whose held lease was not renewed for the TTL (a lease whose beat is being written counts as
	 * renewed now), then writes the leases whose checkpoint is due in one batch. A failure is thrown after what could
	 * be done was done; what failed is retried by the next sweep.
	 * @return the evicted instances
	 */
	public List<InstanceRecord> sweep() {
		long now = this.clock.millis();
		long deadline = now - this.ttl.toMillis();
		long checkpointDue = now - this.checkpointInterval.toMillis();
		List<InstanceRecord> evicted = new ArrayList<>();
		List<Hold> due = new ArrayList<>();
		Map<String, Long> renewals = new HashMap<>();
		RuntimeException failure = null;
		for (Hold hold : this.held.values()) {
			long renewed = hold.renewedAsOf(now);
			if (renewed < deadline) {
				try {
					this.store.evictHeld(hold.instanceId).ifPresent(evicted::add);
					this.held.remove(hold.instanceId, hold);
				}
				catch (RuntimeException ex) {
					failure = firstOr(failure, ex);
				}
			}
			else if (hold.checkpointedMillis < checkpointDue) {
				due.add(hold);
				renewals.put(hold.instanceId, renewed);
			}
		}
		if (!due.isEmpty()) {
			try {
				this.store.holdLeases(renewals);
				due.forEach((hold) -> hold.checkpointedMillis = now);
			}
			catch (RuntimeException ex) {
				failure = firstOr(failure, ex);
			}
		}
		if (failure != null) {
			throw failure;
		}
		return evicted;
	}

	/** Keeps the first failure, the later ones suppressed in it. */
	static RuntimeException firstOr(RuntimeException first, RuntimeException next) {
		if (first == null) {
			return next;
		}
		first.addSuppressed(next);
		return first;
	}

	/** One stream's hold on an instance's lease. */
	public final class Hold {

		private final String instanceId;

		private volatile long renewedMillis;

		/** When the cluster was last told of this hold; 0 until it is. */
		private volatile long checkpointedMillis;

		/** Whether a beat of the stream is waiting on the cluster, which holds its next beats back. */
		private volatile boolean writing;

		private Hold(String instanceId, long renewedMillis) {
			this.instanceId = instanceId;
			this.renewedMillis = renewedMillis;
		}

		/** Renews the lease now: a write into this replica's memory, nothing more. */
		public void renew() {
			this.renewedMillis = HeldLeases.this.clock.millis();
		}

		/**
		 * Keeps the lease renewed until {@code write}, a beat of this stream the cluster is taking, completes, then
		 * renews it: the stream sends no further beat meanwhile (it is held back by flow control), and that silence is
		 * this replica's, not the instance's. Thousands of streams moved here from a lost replica wait so on
		 * partitions being promoted, for longer than the TTL on a busy machine.
		 */
		public void renewedDuring(CompletableFuture<?> write) {
			this.writing = true;
			write.whenComplete((done, failure) -> {
				renew();
				this.writing = false;
			});
		}

		/** When the lease counts as renewed, seen at {@code now}: now while a beat is being written. */
		private long renewedAsOf(long now) {
			return this.writing ? now : this.renewedMillis;
		}

		/** Records that the cluster was just told of this hold, outside a sweep (by the stream's first beat). */
		public void checkpointed() {
			this.checkpointedMillis = HeldLeases.this.clock.millis();
		}

		/**
		 * Ends the hold when its stream ends: the lease goes back to the cluster renewed at the last beat, unless
		 * another stream of this replica holds it now or the instance was removed. Does not block.
		 * @return completes when the cluster has it (at once when there is nothing to hand back)
		 */
		public CompletableFuture<?> release() {
			if (HeldLeases.this.held.remove(this.instanceId, this)) {
				return HeldLeases.this.store.releaseLease(this.instanceId, this.renewedMillis);
			}
			return CompletableFuture.completedFuture(null);
		}

	}

}
