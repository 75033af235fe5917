package dev.switchboard.auth.revocation;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.auth.v1.Revocation;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One WatchRevocations stream: a bounded queue of pending messages and a drain loop that sends while the stream is
 * ready.
 * <p>
 * {@link #offer} and {@link #reset} run under the hub's lock; {@link #drain} may be called from any thread (the
 * poller, gRPC's onReady) and lets one thread at a time send, so {@code onNext} is never called concurrently.
 */
final class RevocationSubscriber {

	private final ServerCallStreamObserver<Revocation> observer;

	private final Queue<Revocation> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicInteger work = new AtomicInteger();

	RevocationSubscriber(ServerCallStreamObserver<Revocation> observer) {
		this.observer = observer;
	}

	int queued() {
		return this.queued.get();
	}

	void offer(Revocation revocation) {
		this.queue.add(revocation);
		this.queued.incrementAndGet();
	}

	/** Replaces everything pending with one message that supersedes it. */
	void reset(Revocation everything) {
		this.queue.clear();
		this.queued.set(0);
		offer(everything);
	}

	void drain() {
		if (this.work.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			while (!this.observer.isCancelled() && this.observer.isReady()) {
				Revocation next = this.queue.poll();
				if (next == null) {
					break;
				}
				this.queued.updateAndGet((n) -> Math.max(0, n - 1));
				this.observer.onNext(next);
			}
			missed = this.work.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
