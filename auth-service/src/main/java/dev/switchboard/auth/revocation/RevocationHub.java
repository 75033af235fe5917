package dev.switchboard.auth.revocation;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.client.grpc.PacedStream;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The fan-out of revocations to this replica's WatchRevocations streams.
 * <p>
 * A stream starts with a message that carries the current sequence and no subject, then gets every event in sequence
 * order. Each stream has a bounded queue, sent as fast as the stream's flow control allows; a stream that falls
 * {@code queueLimit} messages behind has its queue replaced by one event with client id
 * {@value RevocationEvent#EVERY_CLIENT}: "events up to this sequence may have been missed, drop every cached
 * decision". Events are queued under one lock, so every stream sees them in the same order. Thread-safe; never blocks
 * on the network.
 */
public final class RevocationHub implements RevocationListener {

	private final Object lock = new Object();

	private final List<PacedStream<Revocation, Revocation>> subscribers = new CopyOnWriteArrayList<>();

	private final int queueLimit;

	private final Clock clock;

	/** Guarded by {@link #lock}. */
	private long sequence;

	/**
	 * @param queueLimit how many undelivered messages a stream may have before it is reset
	 * @param sequence the sequence of the newest event at start
	 */
	public RevocationHub(int queueLimit, long sequence, Clock clock) {
		if (queueLimit < 1) {
			throw new IllegalArgumentException("queueLimit must be positive");
		}
		this.queueLimit = queueLimit;
		this.sequence = sequence;
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	@Override
	public void revoked(RevocationEvent event) {
		Revocation message = event.toProto();
		synchronized (this.lock) {
			this.sequence = Math.max(this.sequence, event.sequence());
			for (PacedStream<Revocation, Revocation> subscriber : this.subscribers) {
				if (event.isEverything() || subscriber.queued() >= this.queueLimit) {
					subscriber.replaceAllWith(RevocationEvent.everything(this.sequence, this.clock.instant()).toProto());
				}
				else {
					subscriber.offer(message);
				}
			}
		}
		this.subscribers.forEach(PacedStream::drain);
	}

	/**
	 * Starts a WatchRevocations stream: the current sequence now, then every event. Returns at once; the stream ends
	 * when the client cancels it.
	 */
	public void subscribe(ServerCallStreamObserver<Revocation> observer) {
		subscribe(observer, 0, (sequence) -> Optional.empty());
	}

	/**
	 * Starts a WatchRevocations stream that resumes after {@code afterSequence} when {@code missed} can tell every
	 * event since: it opens with {@code afterSequence} and those events, so the caller keeps its cached decisions;
	 * otherwise it opens with the current sequence, as a fresh stream does. Events this replica has not fanned out
	 * yet may then come twice; a revocation is the same the second time.
	 */
	public void subscribe(ServerCallStreamObserver<Revocation> observer, long afterSequence,
			Function<Long, Optional<List<RevocationEvent>>> missed) {
		PacedStream<Revocation, Revocation> subscriber = new PacedStream<>(observer, (revocation) -> revocation);
		observer.setOnCancelHandler(() -> this.subscribers.remove(subscriber));
		observer.setOnReadyHandler(subscriber::drain);
		synchronized (this.lock) {
			Optional<List<RevocationEvent>> resumed = (afterSequence > 0) ? missed.apply(afterSequence)
					: Optional.empty();
			if (resumed.isPresent()) {
				subscriber.offer(RevocationEvent.start(afterSequence, this.clock.instant()));
				resumed.get().forEach((event) -> subscriber.offer(event.toProto()));
			}
			else {
				subscriber.offer(RevocationEvent.start(this.sequence, this.clock.instant()));
			}
			this.subscribers.add(subscriber);
		}
		subscriber.drain();
	}

	/** Returns the sequence of the newest event fanned out. */
	public long sequence() {
		synchronized (this.lock) {
			return this.sequence;
		}
	}

	/** Returns the number of open WatchRevocations streams. */
	public int watchers() {
		return this.subscribers.size();
	}

}
