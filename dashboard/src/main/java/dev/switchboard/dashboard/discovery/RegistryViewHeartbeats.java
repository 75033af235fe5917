package dev.switchboard.dashboard.discovery;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.client.registry.RegistryWatcher;


import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Tells Spring Boot Admin that the platform changed: each new registry view the watcher applies becomes a Spring
 * Cloud {@link HeartbeatEvent}, on which Spring Boot Admin asks the DiscoveryClient again, registering new replicas
 * and dropping gone ones. Events are published on {@code executor}, never on the watcher's gRPC callback thread, and a
 * burst of views is coalesced into one event. It follows the watcher from {@link #follow} until {@link #stop}.
 */
public final class RegistryViewHeartbeats {

	private final ApplicationEventPublisher publisher;

	private final Executor executor;

	private volatile boolean stopped;

	/** Increases with every view, so Spring Cloud's HeartbeatMonitor sees each as new even when revisions restart. */
	private final AtomicLong views = new AtomicLong();

	private final AtomicBoolean queued = new AtomicBoolean();

	/**
	 * @param publisher publishes the heartbeat events
	 * @param executor runs the publishing; Spring Boot Admin's discovery runs on it
	 */
	public RegistryViewHeartbeats(ApplicationEventPublisher publisher, Executor executor) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		this.executor = Objects.requireNonNull(executor, "executor");
	}

	/** Starts following {@code watcher}'s views; call once. */
	public void follow(RegistryWatcher watcher) {
		watcher.addListener(this::onView);
	}

	/** Stops publishing: views the watcher applies from now on are ignored. */
	public void stop() {
		this.stopped = true;
	}

	/** Called on the watcher's gRPC callback thread: must not block. */
	void onView(RegistryView view) {
		if (this.stopped) {
			return;
		}
		this.views.incrementAndGet();
		if (this.queued.compareAndSet(false, true)) {
			this.executor.execute(this::publish);
		}
	}

	private void publish() {
		this.queued.set(false);
		this.publisher.publishEvent(new HeartbeatEvent(this, this.views.get()));
	}

}
