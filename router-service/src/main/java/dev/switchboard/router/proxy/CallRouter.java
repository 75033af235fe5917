package dev.switchboard.router.proxy;

import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTable;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Decides where a call goes: the group serving the method's service ({@code x-switchboard-group} may name it, and
 * must name that very group: a call is authorized and routed by one group's rules) and, when
 * {@code x-switchboard-instance} designates one, the replica. Reads one immutable table per call;
 * thread-safe, non-blocking.
 */
final class CallRouter {

	private final Supplier<RoutingTable> table;

	CallRouter(Supplier<RoutingTable> table) {
		this.table = Objects.requireNonNull(table, "table");
	}

	/**
	 * Returns the group's route.
	 * @throws RouteException {@code NOT_FOUND} when no group serves the service or the named group has no replica,
	 * {@code PERMISSION_DENIED} when the named group does not serve the service
	 */
	GroupRoute route(ProxiedMethod method, Metadata headers) {
		RoutingTable current = this.table.get();
		String named = headers.get(SwitchboardHeaders.GROUP);
		if (named != null) {
			GroupRoute route = current.group(named);
			if (route == null) {
				throw new RouteException(Status.NOT_FOUND.withDescription("group '" + printable(named)
						+ "' has no registered replica"));
			}
			if (!named.equals(current.groupOf(method.serviceName()))) {
				throw new RouteException(Status.PERMISSION_DENIED.withDescription("group '" + printable(named)
						+ "' does not serve service '" + printable(method.serviceName()) + "'"));
			}
			return route;
		}
		String group = current.groupOf(method.serviceName());
		GroupRoute route = (group != null) ? current.group(group) : null;
		if (route == null) {
			throw new RouteException(Status.NOT_FOUND.withDescription("no group serves service '"
					+ method.serviceName() + "'"));
		}
		return route;
	}

	/**
	 * Returns the replica the caller designated, or {@code null} when none was.
	 * @throws RouteException {@code NOT_FOUND} when it is not a replica of the group, {@code FAILED_PRECONDITION}
	 * when it is not UP
	 */
	Replica designated(GroupRoute route, Metadata headers) {
		String instanceId = headers.get(SwitchboardHeaders.INSTANCE);
		if (instanceId == null) {
			return null;
		}
		Replica replica = route.replicas().get(instanceId);
		if (replica == null) {
			throw new RouteException(Status.NOT_FOUND.withDescription("instance '" + printable(instanceId)
					+ "' is not a replica of group '" + route.group() + "'"));
		}
		if (replica.status() != InstanceStatus.UP) {
			throw new RouteException(Status.FAILED_PRECONDITION.withDescription("instance '" + instanceId
					+ "' of group '" + route.group() + "' is " + replica.status() + ", not UP"));
		}
		return replica;
	}

	/** Returns the error for a group with no UP replica to take a call. */
	static RouteException noReplica(GroupRoute route) {
		return new RouteException(Status.UNAVAILABLE.withDescription("group '" + route.group()
				+ "' has no UP replica (" + route.states() + ")"));
	}

	/** Returns {@code value} fit for a status description: at most 64 characters, control characters replaced. */
	static String printable(String value) {
		String cut = (value.length() > 64) ? value.substring(0, 64) + "..." : value;
		return cut.replaceAll("\\p{Cntrl}", "?");
	}

}
