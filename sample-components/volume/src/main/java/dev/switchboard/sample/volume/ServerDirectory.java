package dev.switchboard.sample.volume;

import dev.switchboard.client.grpc.RefusalException;

/** Answers whether a compute server exists. Implementations may block on remote calls. */
@FunctionalInterface
interface ServerDirectory {

	/**
	 * @throws RefusalException UNAVAILABLE when nobody can be asked
	 */
	boolean exists(String serverId);

}
