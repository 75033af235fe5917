package dev.switchboard.registry.store;

import java.util.Set;
import java.util.UUID;

/**
 * An instance's lease as the cluster keeps it.
 * <p>
 * While a replica holds the instance's heartbeat stream it judges the lease itself, by the beats it reads, and the
 * cluster's copy only names that replica and the renewal it last wrote there (a checkpoint, written seldom). A lease
 * no replica holds (before the first beat, after its stream ended, or when its holder was lost) is judged by the
 * partition's owner from {@code renewedMillis}.
 *
 * @param renewedMillis the last renewal written to the cluster, in epoch millis
 * @param holder the registry member that holds the instance's heartbeat stream, {@code null} when none does
 */
public record LeaseRecord(long renewedMillis, UUID holder) {

	/** A lease that no replica holds. */
	static LeaseRecord free(long renewedMillis) {
		return new LeaseRecord(renewedMillis, null);
	}

	/** The same holder, renewed at {@code millis}. */
	LeaseRecord renewedAt(long millis) {
		return new LeaseRecord(Math.max(this.renewedMillis, millis), this.holder);
	}

	/**
	 * Whether the lease ran out: one that no live member holds when not renewed since {@code deadline}; one a live
	 * member holds only when that member has not written it since {@code heldDeadline} (it judges the lease itself,
	 * so this is the backstop for a holder that lost track of it).
	 */
	boolean expired(long deadline, long heldDeadline, Set<UUID> members) {
		boolean held = this.holder != null && members.contains(this.holder);
		return this.renewedMillis < (held ? heldDeadline : deadline);
	}

}
