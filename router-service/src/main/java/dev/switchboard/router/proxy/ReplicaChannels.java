package dev.switchboard.router.proxy;

import dev.switchboard.router.balancer.Replica;
import io.grpc.Channel;

/**
 * Where the router gets the channel to a replica: one per replica, HTTP/2-multiplexed, opened on first use and
 * closed when the replica leaves. Thread-safe; {@link #channel} is on every call's path and must not block.
 */
public interface ReplicaChannels {

	/** Returns the replica's channel, opening it on first use. */
	Channel channel(Replica replica);

	/** Closes the replica's channel, if one was opened; called when the replica leaves the registry. */
	void release(Replica replica);

}
