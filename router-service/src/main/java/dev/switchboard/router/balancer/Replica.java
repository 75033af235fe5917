package dev.switchboard.router.balancer;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import io.grpc.Channel;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One replica as the router sees it: its latest registration, the calls this router has outstanding on it, and its
 * outlier state. A replica object lives as long as the instance stays registered, across registration updates, so
 * its counters survive them.
 * <p>
 * Thread-safe: counters are atomic, the registration is swapped as a whole.
 */
public final class Replica {

	private final String instanceId;

	private final AtomicInteger outstanding = new AtomicInteger();

	private final OutlierDetector outlier;

	private volatile Instance instance;

	/**
	 * The connections calls go through, one per slot (the router's event loops), opened on first use; see
	 * {@code ReplicaChannels}.
	 */
	private final AtomicReferenceArray<Channel> channels;

	private final AtomicLongArray connectionIds;

	public Replica(Instance instance, OutlierDetector outlier) {
		this(instance, outlier, 1);
	}

	/**
	 * @param slots how many connections the replica may have, one per event loop of the router
	 */
	public Replica(Instance instance, OutlierDetector outlier, int slots) {
		this.channels = new AtomicReferenceArray<>(slots);
		this.connectionIds = new AtomicLongArray(slots);
		this.instance = Objects.requireNonNull(instance, "instance");
		this.instanceId = instance.getInstanceId();
		this.outlier = Objects.requireNonNull(outlier, "outlier");
	}

	public String instanceId() {
		return this.instanceId;
	}

	/** Returns the latest registration. */
	public Instance instance() {
		return this.instance;
	}

	/** Replaces the registration with a newer one of the same instance. */
	public void update(Instance newer) {
		this.instance = newer;
	}

	public InstanceStatus status() {
		return this.instance.getStatus();
	}

	/** Returns {@code host:port} for channels. */
	public String target() {
		Instance current = this.instance;
		return current.getHost() + ":" + current.getPort();
	}

	/** Returns the calls this router has in flight on the replica. */
	public int outstanding() {
		return this.outstanding.get();
	}

	/** Counts a call sent to the replica; pair with {@link #callEnded}. */
	public void callStarted() {
		this.outstanding.incrementAndGet();
	}

	/** Counts a call ended, and whether the replica could be reached at all. */
	public void callEnded(boolean reached, long nowNanos) {
		this.outstanding.decrementAndGet();
		if (reached) {
			this.outlier.succeeded();
		}
		else {
			this.outlier.failed(nowNanos);
		}
	}

	/** Returns how many connection slots the replica has. */
	public int slots() {
		return this.channels.length();
	}

	/** Returns the channel of a slot, or {@code null} before its first call. */
	public Channel channel(int slot) {
		return this.channels.get(slot);
	}

	/** Returns the ids of the connections opened so far; 0 for a slot never used. */
	public long[] connectionIds() {
		long[] ids = new long[this.connectionIds.length()];
		for (int i = 0; i < ids.length; i++) {
			ids[i] = this.connectionIds.get(i);
		}
		return ids;
	}

	/** Records the connection opened for a slot. */
	public void attach(int slot, Channel channel, long connectionId) {
		this.connectionIds.set(slot, connectionId);
		this.channels.set(slot, channel);
	}

	public OutlierDetector outlier() {
		return this.outlier;
	}

	@Override
	public String toString() {
		return this.instanceId + "@" + target() + "[" + status() + ", outstanding " + outstanding() + "]";
	}

}
