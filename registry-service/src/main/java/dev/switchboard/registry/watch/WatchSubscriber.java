package dev.switchboard.registry.watch;

import java.util.List;
import java.util.Set;

import dev.switchboard.client.grpc.PacedStream;
import dev.switchboard.registry.v1.WatchEvent;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One Watch stream: the groups it watches, and its paced queue of pending events, which get consecutive revisions as
 * they are sent. {@link #offer} and {@link #resync} run under the hub's lock; {@link #drain} from any thread.
 */
final class WatchSubscriber {

	private final Set<String> groups;

	private final PacedStream<PendingEvent, WatchEvent> stream;

	/** Only touched by the draining thread. */
	private long revision;

	WatchSubscriber(Set<String> groups, ServerCallStreamObserver<WatchEvent> observer) {
		this.groups = groups;
		this.stream = new PacedStream<>(observer, (pending) -> pending.toEvent(++this.revision));
	}

	boolean accepts(String group) {
		return this.groups.isEmpty() || this.groups.contains(group);
	}

	int queued() {
		return this.stream.queued();
	}

	void offer(PendingEvent event) {
		this.stream.offer(event);
	}

	/** Drops every pending event for a snapshot (in parts) that supersedes them. */
	void resync(List<PendingEvent> snapshot) {
		this.stream.replaceAllWith(snapshot);
	}

	void drain() {
		this.stream.drain();
	}

}
