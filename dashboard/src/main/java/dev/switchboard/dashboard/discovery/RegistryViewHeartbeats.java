package dev.switchboard.dashboard.discovery;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * burst of views is coalesced into one event.
 */
public final class RegistryViewHeartbeats implements AutoCloseable {

	private final ApplicationEventPublisher publisher;

	private final Executor executor;

	/** The executor this instance made and stops on {@link #close()}, or {@code null}. */
	private final ExecutorService owned;

	/** Increases with every view, so Spring Cloud's HeartbeatMonitor sees each as new even when revisions restart. */
	private final AtomicLong views = new AtomicLong();

	private final AtomicBoolean queued = new AtomicBoolean();

	/**
	 * @param publisher publishes the heartbeat events
	 * @param executor runs the publishing; Spring Boot Admin's discovery runs on it
	 */
	public RegistryViewHeartbeats(ApplicationEventPublisher publisher, Executor executor) {
		this(publisher, executor, null);
	}

	private RegistryViewHeartbeats(ApplicationEventPublisher publisher, Executor executor, ExecutorService owned) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		this.executor = Objects.requireNonNull(executor, "executor");
		this.owned = owned;
	}

	/**
	 * Publishes on a daemon thread of its own, which {@link #close()} stops. (Not an executor bean: one would make
	 * Spring Boot back off from the application task executor that Spring MVC's async requests run on.)
	 */
	public static RegistryViewHeartbeats onOwnThread(ApplicationEventPublisher publisher) {
		ExecutorService thread = Executors.newSingleThreadExecutor((task) -> {
			Thread made = new Thread(task, "dashboard-discovery");
			made.setDaemon(true);
			return made;
		});
		return new RegistryViewHeartbeats(publisher, thread, thread);
	}

	/** Starts following {@code watcher}'s views. */
	public void follow(RegistryWatcher watcher) {
		watcher.addListener(this::onView);
	}

	/** Called on the watcher's gRPC callback thread: must not block. */
	void onView(RegistryView view) {
		this.views.incrementAndGet();
		if (this.queued.compareAndSet(false, true)) {
			this.executor.execute(this::publish);
		}
	}

	/** Stops the thread made by {@link #onOwnThread}, if this instance made one. */
	@Override
	public void close() {
		if (this.owned != null) {
			this.owned.shutdownNow();
		}
	}

	private void publish() {
		this.queued.set(false);
		this.publisher.publishEvent(new HeartbeatEvent(this, this.views.get()));
	}

}
