package dev.switchboard.router.table;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.Replica;

/**
 * One service group as the router routes to it: every replica by id, the UP ones in an array for selection, and the
 * methods the group declares idempotent. Immutable; a new one replaces it when the group changes.
 *
 * @param group the group name
 * @param replicas every registered replica by instance id
 * @param up the replicas whose status is UP
 * @param idempotentMethods full method names ({@code pkg.Service/Method}) or {@code pkg.Service/*} the group's
 * replicas declare safe to retry
 * @param states how many replicas were in which state when the route was built, for errors such as "2 DOWN, 1
 * OUT_OF_SERVICE": the states {@code up} was chosen by (a {@link Replica}'s own status moves on with the next view
 * before that view's route replaces this one)
 */
public record GroupRoute(String group, Map<String, Replica> replicas, Replica[] up, Set<String> idempotentMethods,
		String states) {

	/** Registration metadata key: comma-separated methods ({@code pkg.Service/Method} or {@code pkg.Service/*}). */
	public static final String IDEMPOTENT_METHODS = "idempotent-methods";

	public GroupRoute {
		Objects.requireNonNull(group, "group");
		replicas = Map.copyOf(replicas);
		Objects.requireNonNull(up, "up");
		idempotentMethods = Set.copyOf(idempotentMethods);
		Objects.requireNonNull(states, "states");
	}

	/** Builds the route of a group from its replicas. */
	public static GroupRoute of(String group, List<Replica> replicas) {
		Map<String, Replica> byId = replicas.stream().collect(Collectors.toMap(Replica::instanceId, (r) -> r));
		Replica[] up = replicas.stream().filter((r) -> r.status() == InstanceStatus.UP).toArray(Replica[]::new);
		Set<String> idempotent = replicas.stream()
			.map((r) -> r.instance().getMetadataMap().getOrDefault(IDEMPOTENT_METHODS, ""))
			.flatMap((value) -> java.util.Arrays.stream(value.split(",")))
			.map(String::trim)
			.filter((method) -> !method.isEmpty())
			.collect(Collectors.toSet());
		return new GroupRoute(group, byId, up, idempotent, describe(replicas));
	}

	/** Returns whether the group declares {@code fullMethodName} idempotent. */
	public boolean isIdempotent(String fullMethodName) {
		if (this.idempotentMethods.isEmpty()) {
			return false;
		}
		if (this.idempotentMethods.contains(fullMethodName)) {
			return true;
		}
		int slash = fullMethodName.indexOf('/');
		return slash > 0 && this.idempotentMethods.contains(fullMethodName.substring(0, slash) + "/*");
	}

	private static String describe(List<Replica> replicas) {
		Map<InstanceStatus, Integer> counts = new EnumMap<>(InstanceStatus.class);
		replicas.forEach((r) -> counts.merge(r.status(), 1, Integer::sum));
		if (counts.isEmpty()) {
			return "no replicas";
		}
		return counts.entrySet()
			.stream()
			.map((e) -> e.getValue() + " " + e.getKey())
			.collect(Collectors.joining(", "));
	}

}
