package dev.switchboard.sample.volume;

/** Answers whether a compute server exists. Implementations may block on remote calls. */
@FunctionalInterface
interface ServerDirectory {

	/**
	 * @throws VolumeException UNAVAILABLE when nobody can be asked
	 */
	boolean exists(String serverId);

}
