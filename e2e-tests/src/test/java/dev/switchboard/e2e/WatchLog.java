package dev.switchboard.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.switchboard.registry.v1.WatchEvent;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import org.awaitility.Awaitility;

/** Records a Watch stream's events with the time each arrived, and checks they came without gaps. */
final class WatchLog implements StreamObserver<WatchEvent> {

	record Received(WatchEvent event, Instant at) {
	}

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final Context.CancellableContext context = Context.current().withCancellation();

	private volatile Throwable error;

	Context.CancellableContext context() {
		return this.context;
	}

	@Override
	public void onNext(WatchEvent event) {
		long expected = this.received.isEmpty() ? 1 : this.received.get(this.received.size() - 1).event.getRevision() + 1;
		if (event.getRevision() != expected) {
			this.error = new AssertionError("revision " + event.getRevision() + " after " + (expected - 1));
		}
		this.received.add(new Received(event, Instant.now()));
	}

	@Override
	public void onError(Throwable t) {
		this.error = t;
	}

	@Override
	public void onCompleted() {
	}

	/** Waits for the first event after the {@code after}-th that matches, and returns it. */
	Received await(int after, Predicate<WatchEvent> matching, Duration timeout) {
		return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
			if (this.error instanceof AssertionError assertion) {
				throw assertion;
			}
			for (int i = after; i < this.received.size(); i++) {
				if (matching.test(this.received.get(i).event)) {
					return this.received.get(i);
				}
			}
			return null;
		}, (found) -> found != null);
	}

	int size() {
		return this.received.size();
	}

	void close() {
		this.context.cancel(null);
	}

}
