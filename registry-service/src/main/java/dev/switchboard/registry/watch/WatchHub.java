package dev.switchboard.registry.watch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

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
 * its queue replaced by a fresh snapshot, so it never sees a gap. Thread-safe.
 */
public final class WatchHub implements InstanceListener {

	private final Object lock = new Object();

	private final Map<String, Instance> view = new HashMap<>();

	private final Set<String> removedBeforeLoad = new HashSet<>();

	private final List<WatchSubscriber> subscribers = new CopyOnWriteArrayList<>();

	private final int queueLimit;

	private boolean loaded;

	/**
	 * @param queueLimit how many undelivered changes a watcher may have before it is resynchronized by snapshot
	 */
	public WatchHub(int queueLimit) {
		if (queueLimit < 1) {
			throw new IllegalArgumentException("queueLimit must be positive");
		}
		this.queueLimit = queueLimit;
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
	 * @param groups the groups to watch, all when empty
	 */
	public void subscribe(Set<String> groups, ServerCallStreamObserver<WatchEvent> observer) {
		WatchSubscriber subscriber = new WatchSubscriber(Set.copyOf(groups), observer);
		observer.setOnCancelHandler(() -> this.subscribers.remove(subscriber));
		observer.setOnReadyHandler(subscriber::drain);
		synchronized (this.lock) {
			subscriber.resync(snapshot(subscriber));
			this.subscribers.add(subscriber);
		}
		subscriber.drain();
	}

	/** Returns a copy of the current view by instance id. */
	public Map<String, Instance> current() {
		synchronized (this.lock) {
			return Map.copyOf(this.view);
		}
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
	private PendingEvent snapshot(WatchSubscriber subscriber) {
		List<Instance> instances = new ArrayList<>(this.view.size());
		for (Instance instance : this.view.values()) {
			if (subscriber.accepts(instance.getGroup())) {
				instances.add(instance);
			}
		}
		return PendingEvent.snapshot(instances);
	}

}
