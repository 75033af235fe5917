package dev.switchboard.registry.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.registry.store.InstanceListener;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.v1.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * This replica's view of every instance, kept current from the store's change events, and the fan-out of those changes
 * to Watch streams.
 * <p>
 * Changes are applied and queued to watchers under one lock, so every watcher sees them in the order the view took
 * them; sending happens outside the lock, paced by each stream's readiness. A watcher whose queue passes the limit has
 * its queue replaced by a fresh snapshot, so it never sees a gap. Snapshots go out in parts of bounded size, and each
 * client may hold a bounded number of streams on this replica, so neither the size of the registry nor one client's
 * streams can exhaust it. Thread-safe.
 */
public final class WatchHub implements InstanceListener {

	private final Object lock = new Object();

	/** Written under the lock, read without it. */
	private final Map<String, Instance> view = new ConcurrentHashMap<>();

	private final Set<String> removedBeforeLoad = new HashSet<>();

	private final List<WatchSubscriber> subscribers = new CopyOnWriteArrayList<>();

	/** Open streams per client; only touched under the lock. */
	private final Map<String, Integer> streamsByClient = new HashMap<>();

	private final int queueLimit;

	private final int snapshotPartBytes;

	private final int streamsPerClient;

	private boolean loaded;

	/** A hub with 1 MiB snapshot parts and no bound on streams per client. */
	public WatchHub(int queueLimit) {
		this(queueLimit, 1024 * 1024, Integer.MAX_VALUE);
	}

	/**
	 * @param queueLimit how many undelivered changes a watcher may have before it is resynchronized by snapshot
	 * @param snapshotPartBytes the largest snapshot message, in serialized bytes (an instance larger than that goes
	 * alone)
	 * @param streamsPerClient how many streams one client may hold open on this replica
	 */
	public WatchHub(int queueLimit, int snapshotPartBytes, int streamsPerClient) {
		if (queueLimit < 1 || snapshotPartBytes < 1 || streamsPerClient < 1) {
			throw new IllegalArgumentException("queueLimit, snapshotPartBytes and streamsPerClient must be positive");
		}
		this.queueLimit = queueLimit;
		this.snapshotPartBytes = snapshotPartBytes;
		this.streamsPerClient = streamsPerClient;
	}

	/**
	 * Seeds the view with the instances registered when this replica subscribed. Changes already received win over
	 * this older state.
	 */
	public void load(Collection<InstanceRecord> initial) {
		synchronized (this.lock) {
			for (InstanceRecord record : initial) {
				if (!this.removedBeforeLoad.contains(record.instanceId())) {
					this.view.putIfAbsent(record.instanceId(), record.toProto());
				}
			}
			this.removedBeforeLoad.clear();
			this.loaded = true;
		}
	}

	@Override
	public void updated(InstanceRecord record) {
		Instance instance = record.toProto();
		List<WatchSubscriber> notified;
		synchronized (this.lock) {
			Instance previous = this.view.put(instance.getInstanceId(), instance);
			if (instance.equals(previous)) {
				return;
			}
			notified = enqueue(instance.getGroup(), PendingEvent.updated(instance));
		}
		notified.forEach(WatchSubscriber::drain);
	}

	@Override
	public void removed(InstanceRecord record, RemovalReason reason) {
		List<WatchSubscriber> notified;
		synchronized (this.lock) {
			Instance previous = this.view.remove(record.instanceId());
			if (!this.loaded) {
				this.removedBeforeLoad.add(record.instanceId());
			}
			if (previous == null) {
				return;
			}
			notified = enqueue(previous.getGroup(), PendingEvent.removed(previous, reason));
		}
		notified.forEach(WatchSubscriber::drain);
	}

	/**
	 * Starts a Watch stream: a snapshot now, then every change. Returns at once; the stream ends when the client
	 * cancels it.
	 * @param client the client the stream counts against, {@code null} when watchers are not authorized
	 * @param groups the groups to watch, all when empty
	 * @throws RefusalException {@code RESOURCE_EXHAUSTED} when the client already holds its streams on this replica
	 */
	public void subscribe(String client, Set<String> groups, ServerCallStreamObserver<WatchEvent> observer) {
		WatchSubscriber subscriber = new WatchSubscriber(Set.copyOf(groups), observer);
		synchronized (this.lock) {
			if (client != null) {
				int open = this.streamsByClient.getOrDefault(client, 0);
				if (open >= this.streamsPerClient) {
					throw RefusalException.resourceExhausted("client '" + client + "' already holds " + open
							+ " Watch streams on this registry replica, its limit");
				}
				this.streamsByClient.put(client, open + 1);
			}
			observer.setOnCancelHandler(() -> unsubscribe(client, subscriber));
			observer.setOnReadyHandler(subscriber::drain);
			subscriber.resync(snapshot(subscriber));
			this.subscribers.add(subscriber);
		}
		subscriber.drain();
	}

	private void unsubscribe(String client, WatchSubscriber subscriber) {
		synchronized (this.lock) {
			if (this.subscribers.remove(subscriber) && client != null) {
				this.streamsByClient.computeIfPresent(client, (key, open) -> (open > 1) ? open - 1 : null);
			}
		}
	}

	/**
	 * Returns the instances of the current view, live and unmodifiable, without copying it or taking the lock that
	 * orders changes: for counting and filtering, where an iteration may see a change made meanwhile or not (the view
	 * lags the cluster anyway). A copy of 10,000 instances under that lock held up every change for its duration.
	 */
	public Collection<Instance> instances() {
		return Collections.unmodifiableCollection(this.view.values());
	}

	/**
	 * Returns one instance as this replica's view has it, or {@code null}; never blocks. The view follows the cluster
	 * by events, so it may lag a change made on another replica by moments.
	 */
	public Instance find(String instanceId) {
		return this.view.get(instanceId);
	}

	/** Returns the number of open Watch streams. */
	public int watchers() {
		return this.subscribers.size();
	}

	/** Must hold the lock. Returns the subscribers that got the event and should drain. */
	private List<WatchSubscriber> enqueue(String group, PendingEvent event) {
		List<WatchSubscriber> notified = new ArrayList<>(this.subscribers.size());
		for (WatchSubscriber subscriber : this.subscribers) {
			if (!subscriber.accepts(group)) {
				continue;
			}
			if (subscriber.queued() >= this.queueLimit) {
				subscriber.resync(snapshot(subscriber));
			}
			else {
				subscriber.offer(event);
			}
			notified.add(subscriber);
		}
		return notified;
	}

	/** Must hold the lock. */
	private List<PendingEvent> snapshot(WatchSubscriber subscriber) {
		List<Instance> instances = new ArrayList<>(this.view.size());
		for (Instance instance : this.view.values()) {
			if (subscriber.accepts(instance.getGroup())) {
				instances.add(instance);
			}
		}
		return PendingEvent.snapshot(instances, this.snapshotPartBytes);
	}

}
