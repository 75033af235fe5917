package dev.switchboard.router.proxy;

import java.util.Objects;
import java.util.function.IntSupplier;

import dev.switchboard.client.connection.ClientConnection;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionLimitException;
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

	private final IntSupplier slot;

	/** One connection per replica. */
	public ManagedReplicaChannels(ClientConnectionManager manager) {
		this(manager, () -> 0);
	}

	/**
	 * @param slot the connection slot of the calling thread (its event loop, so that a forwarded message stays on
	 * the loop that read it); must be below each replica's {@link Replica#slots()}
	 */
	public ManagedReplicaChannels(ClientConnectionManager manager, IntSupplier slot) {
		this.manager = Objects.requireNonNull(manager, "manager");
		this.slot = Objects.requireNonNull(slot, "slot");
	}

	@Override
	public Channel channel(Replica replica) {
		int slot = Math.min(this.slot.getAsInt(), replica.slots() - 1);
		Channel channel = replica.channel(slot);
		if (channel != null) {
			return channel;
		}
		synchronized (replica) {
			if (replica.channel(slot) == null) {
				try {
					ClientConnection connection = this.manager.open(replica.instance().getGroup(), replica.target());
					replica.attach(slot, connection.channel(), connection.id());
				}
				catch (ConnectionLimitException ex) {
					throw ex.toStatus().asRuntimeException();
				}
			}
			return replica.channel(slot);
		}
	}

	@Override
	public void release(Replica replica) {
		for (long id : replica.connectionIds()) {
			if (id != 0) {
				this.manager.close(id);
			}
		}
	}

}
