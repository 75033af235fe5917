package dev.switchboard.registry.watch;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.registry.v1.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch stream: a queue of pending events and a drain loop that sends while the stream is ready.
 * <p>
 * {@link #offer} and {@link #resync} run under the hub's lock; {@link #drain} may be called from any thread (the
 * hub's callers, gRPC's onReady) and lets one thread at a time send, so {@code onNext} is never called concurrently.
 */
final class WatchSubscriber {

	private final Set<String> groups;

	private final ServerCallStreamObserver<WatchEvent> observer;

	private final Queue<PendingEvent> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicInteger work = new AtomicInteger();

	/** Only touched by the draining thread. */
	private long revision;

	WatchSubscriber(Set<String> groups, ServerCallStreamObserver<WatchEvent> observer) {
		this.groups = groups;
		this.observer = observer;
	}

	boolean accepts(String group) {
		return this.groups.isEmpty() || this.groups.contains(group);
	}

	int queued() {
		return this.queued.get();
	}

	void offer(PendingEvent event) {
		this.queue.add(event);
		this.queued.incrementAndGet();
	}

	/** Drops every pending event for a snapshot that supersedes them. */
	void resync(PendingEvent snapshot) {
		this.queue.clear();
		this.queued.set(0);
		offer(snapshot);
	}

	void drain() {
		if (this.work.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			while (!this.observer.isCancelled() && this.observer.isReady()) {
				PendingEvent next = this.queue.poll();
				if (next == null) {
					break;
				}
				this.queued.updateAndGet((n) -> Math.max(0, n - 1));
				this.observer.onNext(next.toEvent(++this.revision));
			}
			missed = this.work.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
