package dev.switchboard.router.table;

import java.util.Map;
import java.util.Objects;

/**
 * Which group serves each gRPC service, and each group's route. Immutable: the router swaps whole tables atomically,
 * so a call reads one consistent table with two map lookups and no lock.
 *
 * @param revision the registry view revision this table was built from
 * @param groupByService the group serving each full service name
 * @param groups every group's route by name
 */
public record RoutingTable(long revision, Map<String, String> groupByService, Map<String, GroupRoute> groups) {

	/** The table before the first registry snapshot. */
	public static final RoutingTable EMPTY = new RoutingTable(0, Map.of(), Map.of());

	public RoutingTable {
		groupByService = Map.copyOf(groupByService);
		groups = Map.copyOf(groups);
	}

	/** Returns the group serving {@code service}, or {@code null}. */
	public String groupOf(String service) {
		return this.groupByService.get(Objects.requireNonNull(service, "service"));
	}

	/** Returns the route of {@code group}, or {@code null} when it has no replica. */
	public GroupRoute group(String group) {
		return this.groups.get(group);
	}

}
