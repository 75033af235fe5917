package dev.switchboard.router.api;

import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTable;
import dev.switchboard.router.v1.GetRoutesRequest;
import dev.switchboard.router.v1.GroupRoutes;
import dev.switchboard.router.v1.ReplicaRoute;
import dev.switchboard.router.v1.RouterGrpc;
import dev.switchboard.router.v1.Routes;
import io.grpc.stub.StreamObserver;

/** {@code switchboard.router.v1.Router}: the routing table in force, over gRPC. */
public final class RouterGrpcService extends RouterGrpc.RouterImplBase {

	private final Supplier<RoutingTable> table;

	public RouterGrpcService(Supplier<RoutingTable> table) {
		this.table = Objects.requireNonNull(table, "table");
	}

	@Override
	public void getRoutes(GetRoutesRequest request, StreamObserver<Routes> responses) {
		responses.onNext(toRoutes(this.table.get(), System.nanoTime()));
		responses.onCompleted();
	}

	/** Returns the wire form of a table, groups and replicas sorted by name. */
	public static Routes toRoutes(RoutingTable table, long nowNanos) {
		Routes.Builder routes = Routes.newBuilder().setRevision(table.revision());
		table.groups().values().stream().sorted(Comparator.comparing(GroupRoute::group)).forEach((route) -> {
			GroupRoutes.Builder group = GroupRoutes.newBuilder()
				.setName(route.group())
				.addAllIdempotentMethods(new TreeSet<>(route.idempotentMethods()));
			TreeSet<String> services = new TreeSet<>();
			for (Map.Entry<String, String> entry : table.groupByService().entrySet()) {
				if (entry.getValue().equals(route.group())) {
					services.add(entry.getKey());
				}
			}
			group.addAllServices(services);
			route.replicas()
				.values()
				.stream()
				.sorted(Comparator.comparing(Replica::instanceId))
				.forEach((replica) -> group.addReplicas(ReplicaRoute.newBuilder()
					.setInstanceId(replica.instanceId())
					.setAddress(replica.target())
					.setStatus(replica.status().name())
					.setOutstanding(replica.outstanding())
					.setReportedInFlight(replica.instance().getInFlight())
					.setWeight(replica.instance().getWeight())
					.setEjected(replica.outlier().isEjected(nowNanos))
					.setEjections(replica.outlier().ejections())));
			routes.addGroups(group);
		});
		return routes.build();
	}

}
