package dev.switchboard.sample.compute;

import java.util.List;

import dev.switchboard.client.grpc.RefusalException;

/**
 * Plugs servers into networks: one port per network, made by the network group. Implementations are thread-safe and
 * may block (a call through the router per network).
 */
@FunctionalInterface
interface NetworkPorts {

	/** The setting that tells where the router is, to ask the network group through. */
	String ROUTER_ADDRESS = "switchboard.grpc.clients.router.address";

	/**
	 * Makes one port on each of {@code networks} for the server {@code serverId}, which the compute replica
	 * {@code host} holds (the network group asks that replica about the server).
	 * @return the port ids, in the order of {@code networks}
	 * @throws RefusalException with the network group's refusal, or FAILED_PRECONDITION when there is no network
	 * group to ask
	 */
	List<String> plug(String serverId, String host, List<String> networks);

	/** Refuses every request for ports, naming the setting that would make them possible. */
	static NetworkPorts none() {
		return (serverId, host, networks) -> {
			throw RefusalException.failedPrecondition(
					"this compute replica has no router to ask the network group through (" + ROUTER_ADDRESS + ")");
		};
	}

}
