package dev.switchboard.router.balancer;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import io.grpc.Channel;

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

	/** The connection calls go through, opened on first use; see {@code ReplicaChannels}. */
	private volatile Channel channel;

	private volatile long connectionId;

	public Replica(Instance instance, OutlierDetector outlier) {
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

	/** Returns the channel opened for this replica, or {@code null} before the first call. */
	public Channel channel() {
		return this.channel;
	}

	/** Returns the id of the connection behind {@link #channel()}, 0 before the first call. */
	public long connectionId() {
		return this.connectionId;
	}

	/** Records the connection opened for this replica. */
	public void attach(Channel channel, long connectionId) {
		this.connectionId = connectionId;
		this.channel = channel;
	}

	public OutlierDetector outlier() {
		return this.outlier;
	}

	@Override
	public String toString() {
		return this.instanceId + "@" + target() + "[" + status() + ", outstanding " + outstanding() + "]";
	}

}
