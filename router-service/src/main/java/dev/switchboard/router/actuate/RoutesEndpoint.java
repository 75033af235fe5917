package dev.switchboard.router.actuate;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.router.api.RouterGrpcService;
import dev.switchboard.router.table.RoutingTable;
import dev.switchboard.router.v1.Routes;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code routes} actuator endpoint: every group with its services, idempotent methods and replicas (status,
 * outstanding calls, reported load, weight, ejection).
 */
@Endpoint(id = "routes")
public final class RoutesEndpoint {

	private final Supplier<RoutingTable> table;

	public RoutesEndpoint(Supplier<RoutingTable> table) {
		this.table = Objects.requireNonNull(table, "table");
	}

	@ReadOperation
	public RoutesDescriptor routes() {
		Routes routes = RouterGrpcService.toRoutes(this.table.get(), System.nanoTime());
		return new RoutesDescriptor(routes.getRevision(), routes.getGroupsList()
			.stream()
			.map((group) -> new GroupDescriptor(group.getName(), group.getServicesList(),
					group.getIdempotentMethodsList(),
					group.getReplicasList()
						.stream()
						.map((r) -> new ReplicaDescriptor(r.getInstanceId(), r.getAddress(), r.getStatus(),
								r.getOutstanding(), r.getReportedInFlight(), r.getWeight(), r.getEjected(),
								r.getEjections()))
						.toList()))
			.toList());
	}

	/** The routing table. */
	public record RoutesDescriptor(long revision, List<GroupDescriptor> groups) implements OperationResponseBody {
	}

	/** One group. */
	public record GroupDescriptor(String name, List<String> services, List<String> idempotentMethods,
			List<ReplicaDescriptor> replicas) {
	}

	/** One replica as the router sees it. */
	public record ReplicaDescriptor(String instanceId, String address, String status, int outstanding,
			int reportedInFlight, int weight, boolean ejected, int ejections) {
	}

}
