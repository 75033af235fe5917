package dev.switchboard.client.registry;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link RegistryView} current from the registry's Watch stream. When the stream fails it resubscribes after a
 * jittered backoff on the same channel, whose policy has moved to a reachable replica by then
 * ({@link RegistryChannels}); meanwhile {@link #view()} keeps answering with the last known state, so callers go on
 * working with every registry down.
 * <p>
 * Thread-safe. Events of one stream are applied on the gRPC callback thread, one at a time; listeners run there too
 * and must not block.
 */
public final class RegistryWatcher implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RegistryWatcher.class);

	private final RegistryChannels channels;

	private final WatchRequest request;

	private final Backoff backoff;

	private final ScheduledExecutorService scheduler;

	private final List<Consumer<RegistryView>> listeners = new CopyOnWriteArrayList<>();

	private final CountDownLatch firstSnapshot = new CountDownLatch(1);

	private volatile RegistryView view = RegistryView.EMPTY;

	private volatile boolean closed;

	private Stream stream;

	/**
	 * @param channels the registry replicas
	 * @param request which groups to watch
	 * @param backoff the wait between resubscriptions
	 * @param scheduler runs delayed resubscriptions
	 */
	public RegistryWatcher(RegistryChannels channels, WatchRequest request, Backoff backoff,
			ScheduledExecutorService scheduler) {
		this.channels = Objects.requireNonNull(channels, "channels");
		this.request = Objects.requireNonNull(request, "request");
		this.backoff = Objects.requireNonNull(backoff, "backoff");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
	}

	/** Opens the first Watch stream; returns at once. */
	public void start() {
		subscribe();
	}

	/** Returns the last known view; never {@code null}. */
	public RegistryView view() {
		return this.view;
	}

	/** Adds a listener called with each new view, on the gRPC callback thread. */
	public void addListener(Consumer<RegistryView> listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/** Waits until the first snapshot arrived; returns whether it did in time. */
	public boolean awaitFirstSnapshot(Duration timeout) throws InterruptedException {
		return this.firstSnapshot.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private synchronized void subscribe() {
		if (this.closed) {
			return;
		}
		Stream next = new Stream();
		this.stream = next;
		next.context.run(() -> {
			next.call = this.channels.channel().newCall(RegistryGrpc.getWatchMethod(), CallOptions.DEFAULT);
			ClientCalls.asyncServerStreamingCall(next.call, this.request, next);
		});
	}

	private synchronized void resubscribeLater(Stream failed) {
		if (this.closed || failed != this.stream) {
			return;
		}
		Duration wait = this.backoff.next();
		this.scheduler.schedule(this::subscribe, wait.toMillis(), TimeUnit.MILLISECONDS);
	}

	private synchronized void connected() {
		this.backoff.reset();
	}

	private void publish(RegistryView next) {
		this.view = next;
		for (Consumer<RegistryView> listener : this.listeners) {
			try {
				listener.accept(next);
			}
			catch (RuntimeException ex) {
				logger.warn("Registry view listener failed", ex);
			}
		}
	}

	@Override
	public void close() {
		Stream current;
		synchronized (this) {
			this.closed = true;
			current = this.stream;
		}
		if (current != null) {
			current.context.cancel(null);
		}
	}

	/** One Watch stream; its callbacks are serialized by gRPC. */
	private final class Stream implements StreamObserver<WatchEvent> {

		private final Context.CancellableContext context = Context.ROOT.withCancellation();

		private final Map<String, Instance> instances = new HashMap<>();

		/** The parts of a snapshot received so far, while its last part has not arrived; else null. */
		private Map<String, Instance> assembling;

		private long revision;

		/** Set before the call starts, so every callback sees it. */
		private volatile ClientCall<WatchRequest, WatchEvent> call;

		@Override
		public void onNext(WatchEvent event) {
			WatchEvent.KindCase kind = event.getKindCase();
			boolean startsSnapshot = kind == WatchEvent.KindCase.SNAPSHOT && event.getSnapshot().getPart() == 0;
			if (!startsSnapshot && (event.getRevision() != this.revision + 1
					|| (kind == WatchEvent.KindCase.SNAPSHOT) != (this.assembling != null))) {
				// a gap would mean a lost change: start over from a fresh snapshot rather than publish it
				logger.warn("Watch revision jumped from {} to {} ({}); resubscribing", this.revision,
						event.getRevision(), kind);
				this.context.cancel(null);
				return;
			}
			switch (kind) {
				case SNAPSHOT -> {
					if (startsSnapshot) {
						this.assembling = new HashMap<>();
					}
					event.getSnapshot().getInstancesList().forEach((i) -> this.assembling.put(i.getInstanceId(), i));
					if (event.getSnapshot().getMore()) {
						this.revision = event.getRevision();
						return;
					}
					this.instances.clear();
					this.instances.putAll(this.assembling);
					this.assembling = null;
				}
				case UPDATED -> {
					Instance instance = event.getUpdated().getInstance();
					this.instances.put(instance.getInstanceId(), instance);
				}
				case REMOVED -> this.instances.remove(event.getRemoved().getInstance().getInstanceId());
				default -> {
					return;
				}
			}
			this.revision = event.getRevision();
			publish(new RegistryView(this.revision, Map.copyOf(this.instances)));
			if (kind == WatchEvent.KindCase.SNAPSHOT) {
				connected();
				RegistryWatcher.this.firstSnapshot.countDown();
			}
		}

		@Override
		public void onError(Throwable error) {
			if (!RegistryWatcher.this.closed) {
				logger.info("Watch stream to registry {} ended ({}); keeping the last view and resubscribing",
						RegistryChannels.replicaOf(this.call), error.getMessage());
			}
			resubscribeLater(this);
		}

		@Override
		public void onCompleted() {
			resubscribeLater(this);
		}

	}

}
