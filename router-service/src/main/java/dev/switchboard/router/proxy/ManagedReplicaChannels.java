package dev.switchboard.router.proxy;

import java.util.Objects;

import dev.switchboard.common.client.ClientConnection;
import dev.switchboard.common.client.ClientConnectionManager;
import dev.switchboard.common.client.ConnectionLimitException;
import dev.switchboard.router.balancer.Replica;
import io.grpc.Channel;

/**
 * Replica channels through the process's connection manager: one connection per replica (its own, never shared with
 * a later replica at the same address), named after its group,
 * kept on the replica object so the per-call path is a volatile read. Opening is the rare path and synchronizes on
 * the replica.
 */
public final class ManagedReplicaChannels implements ReplicaChannels {

	private final ClientConnectionManager manager;

	public ManagedReplicaChannels(ClientConnectionManager manager) {
		this.manager = Objects.requireNonNull(manager, "manager");
	}

	@Override
	public Channel channel(Replica replica) {
		Channel channel = replica.channel();
		if (channel != null) {
			return channel;
		}
		synchronized (replica) {
			if (replica.channel() == null) {
				try {
					ClientConnection connection = this.manager.open(replica.instance().getGroup(), replica.target());
					replica.attach(connection.channel(), connection.id());
				}
				catch (ConnectionLimitException ex) {
					throw ex.toStatus().asRuntimeException();
				}
			}
			return replica.channel();
		}
	}

	@Override
	public void release(Replica replica) {
		long id = replica.connectionId();
		if (id != 0) {
			this.manager.close(id);
		}
	}

}
