package dev.switchboard.client.grpc;

import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * A server stream fed from elsewhere (a change feed, a revocation log) and paced by gRPC flow control: items wait in
 * a queue and are sent only while the stream is ready, so a slow client never makes the server buffer more than its
 * queue. When the queue grows too long the feeder replaces it with one item that supersedes everything pending (a
 * snapshot, a "drop everything").
 * <p>
 * {@link #offer} and {@link #replaceAllWith} may be called from any thread, one at a time (the feeder's lock);
 * {@link #drain} from any thread at any time (the feeder, gRPC's onReady): one thread at a time sends, so
 * {@code onNext} and {@code toMessage} are never called concurrently. Register {@code drain} as the observer's
 * onReady handler.
 *
 * @param <T> what is queued
 * @param <M> what is sent
 */
public final class PacedStream<T, M> {

	private final ServerCallStreamObserver<M> observer;

	private final Function<? super T, ? extends M> toMessage;

	private final Queue<T> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicInteger work = new AtomicInteger();

	/**
	 * @param observer the stream
	 * @param toMessage turns a queued item into the message sent, at send time (it may number messages: it runs on
	 * one thread at a time)
	 */
	public PacedStream(ServerCallStreamObserver<M> observer, Function<? super T, ? extends M> toMessage) {
		this.observer = Objects.requireNonNull(observer, "observer");
		this.toMessage = Objects.requireNonNull(toMessage, "toMessage");
	}

	/** Returns how many items wait to be sent (approximately, while a drain runs). */
	public int queued() {
		return this.queued.get();
	}

	/** Queues an item; call {@link #drain} afterwards to send it. */
	public void offer(T item) {
		this.queue.add(item);
		this.queued.incrementAndGet();
	}

	/** Drops everything pending for one item that supersedes it. */
	public void replaceAllWith(T item) {
		replaceAllWith(List.of(item));
	}

	/** Drops everything pending for items that supersede it, queued in order. */
	public void replaceAllWith(List<? extends T> items) {
		this.queue.clear();
		this.queued.set(0);
		items.forEach(this::offer);
	}

	/** Sends what is queued while the stream is ready; returns at once if another thread is sending. */
	public void drain() {
		if (this.work.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			while (!this.observer.isCancelled() && this.observer.isReady()) {
				T next = this.queue.poll();
				if (next == null) {
					break;
				}
				this.queued.updateAndGet((n) -> Math.max(0, n - 1));
				this.observer.onNext(this.toMessage.apply(next));
			}
			missed = this.work.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
