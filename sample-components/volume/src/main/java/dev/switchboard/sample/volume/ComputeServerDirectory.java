package dev.switchboard.sample.volume;

import java.util.List;
import java.util.Objects;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Asks the compute group whether a server exists: compute keeps servers per replica, so every UP replica the
 * registry knows (through the {@link DiscoveryClient}) is asked in turn until one has it. Channels come from the
 * process's connection manager under the service name {@code compute}, so their deadline, keepalive and limits are
 * set by {@code switchboard.grpc.clients.compute.*}. Blocks for at most one deadline per replica.
 */
final class ComputeServerDirectory implements ServerDirectory {

	static final String COMPUTE = "compute";

	private final DiscoveryClient discovery;

	private final ClientConnectionManager connections;

	ComputeServerDirectory(DiscoveryClient discovery, ClientConnectionManager connections) {
		this.discovery = Objects.requireNonNull(discovery, "discovery");
		this.connections = Objects.requireNonNull(connections, "connections");
	}

	@Override
	public boolean exists(String serverId) {
		List<ServiceInstance> replicas = this.discovery.getInstances(COMPUTE)
			.stream()
			.filter((instance) -> "UP".equals(instance.getMetadata().get(SwitchboardDiscoveryClient.STATUS)))
			.toList();
		if (replicas.isEmpty()) {
			throw RefusalException.unavailable("no compute replica is UP to confirm server '" + serverId + "'");
		}
		for (ServiceInstance replica : replicas) {
			try {
				ComputeGrpc.newBlockingStub(this.connections
					.acquire(COMPUTE, replica.getHost() + ":" + replica.getPort())
					.channel()).getServer(GetServerRequest.newBuilder().setId(serverId).build());
				return true;
			}
			catch (StatusRuntimeException ex) {
				if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
					throw RefusalException.unavailable("compute replica " + replica.getInstanceId()
							+ " could not be asked about server '" + serverId + "': " + ex.getStatus().getCode());
				}
			}
		}
		return false;
	}

}
