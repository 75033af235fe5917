package dev.switchboard.sample.compute;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.network.v1.CreatePortRequest;
import dev.switchboard.sample.network.v1.NetworkGrpc;
import io.grpc.CallCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Asks the network group (the Python sample) for ports through a router, as any platform client calls: on the
 * connection manager's channel to service {@value #ROUTER} (address, TLS and deadline from
 * {@code switchboard.grpc.clients.router.*}), every call carrying this replica's own token. One blocking call per
 * network, bounded by the caller's deadline, which gRPC carries over from the call being served.
 */
final class RouterNetworkPorts implements NetworkPorts {

	/** The connection manager's name for the router's front door. */
	static final String ROUTER = "router";

	private final ClientConnectionManager connections;

	private final CallCredentials credentials;

	/**
	 * @param connections opens and keeps the channel to the router
	 * @param credentials puts this replica's token on every call, or null to send none (a router that checks no
	 * token, as in the routing tests)
	 */
	RouterNetworkPorts(ClientConnectionManager connections, CallCredentials credentials) {
		this.connections = Objects.requireNonNull(connections, "connections");
		this.credentials = credentials;
	}

	@Override
	public List<String> plug(String serverId, String host, List<String> networks) {
		NetworkGrpc.NetworkBlockingStub network = NetworkGrpc
			.newBlockingStub(this.connections.acquire(ROUTER).channel())
			.withCallCredentials(this.credentials);
		List<String> ports = new ArrayList<>(networks.size());
		for (String name : networks) {
			try {
				ports.add(network
					.createPort(CreatePortRequest.newBuilder().setNetwork(name).setDeviceId(serverId).setHostId(host)
						.build())
					.getId());
			}
			catch (StatusRuntimeException ex) {
				throw refusedBy(name, ex.getStatus());
			}
		}
		return ports;
	}

	/**
	 * The network group's refusal to make a port on {@code network}: a malformed request stays INVALID_ARGUMENT, a
	 * port that cannot be had as things stand is FAILED_PRECONDITION, anything else (no network replica UP, this
	 * replica's own client refused by the router) is UNAVAILABLE to the caller, whose request was fine.
	 */
	private static RefusalException refusedBy(String network, Status status) {
		String reason = "no port on network '" + network + "': " + status.getCode() + " " + status.getDescription();
		return switch (status.getCode()) {
			case INVALID_ARGUMENT -> RefusalException.invalidArgument(reason);
			case FAILED_PRECONDITION, NOT_FOUND -> RefusalException.failedPrecondition(reason);
			default -> RefusalException.unavailable(reason);
		};
	}

}
