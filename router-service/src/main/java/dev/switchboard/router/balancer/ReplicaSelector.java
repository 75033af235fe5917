package dev.switchboard.router.balancer;

import dev.switchboard.router.table.GroupRoute;

/**
 * Chooses the replica of a group a call goes to. Implementations are thread-safe and allocation-free per call.
 */
@FunctionalInterface
public interface ReplicaSelector {

	/**
	 * Returns a replica among the group's UP replicas, preferring ones not ejected, or {@code null} when the group
	 * has no UP replica other than {@code excluded}.
	 * @param route the group
	 * @param excluded a replica to avoid (the one a failed attempt used), may be {@code null}
	 */
	Replica select(GroupRoute route, Replica excluded);

}
