package dev.switchboard.component.registration;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.component.load.CallLoad;
import dev.switchboard.registry.v1.InstanceStatus;

import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's {@link ServiceRegistry} backed by the Switchboard registry: {@link #register} starts a
 * {@link HeartbeatSession} that keeps the instance registered until {@link #deregister}. {@link #setStatus} overrides
 * the status the instance reports ({@code OUT_OF_SERVICE} while draining); {@code null} or {@code "AUTO"} hands it back
 * to the health-derived status.
 * <p>
 * Thread-safe. The sessions share one scheduler thread, which the caller owns.
 */
public final class SwitchboardServiceRegistry implements ServiceRegistry<ComponentRegistration> {

	/** The status override that means "report what health says". */
	public static final String AUTO = "AUTO";

	private final RegistryChannels channels;

	private final Supplier<InstanceStatus> healthStatus;

	private final CallLoad load;

	private final Duration timeout;

	private final Duration initialBackoff;

	private final Duration maxBackoff;

	private final ScheduledExecutorService scheduler;

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	/**
	 * @param channels the registry replicas
	 * @param healthStatus the status derived from the application's health
	 * @param load calls in flight and completed on this process
	 * @param timeout deadline of unary registry calls
	 * @param initialBackoff ceiling of the first reconnect wait
	 * @param maxBackoff largest reconnect wait
	 * @param scheduler the single thread the heartbeat sessions run on; the caller shuts it down after
	 * {@link #close()}
	 */
	public SwitchboardServiceRegistry(RegistryChannels channels, Supplier<InstanceStatus> healthStatus,
			CallLoad load, Duration timeout, Duration initialBackoff, Duration maxBackoff,
			ScheduledExecutorService scheduler) {
		this.channels = Objects.requireNonNull(channels, "channels");
		this.healthStatus = Objects.requireNonNull(healthStatus, "healthStatus");
		this.load = Objects.requireNonNull(load, "load");
		this.timeout = timeout;
		this.initialBackoff = initialBackoff;
		this.maxBackoff = maxBackoff;
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
	}

	@Override
	public void register(ComponentRegistration registration) {
		this.sessions.computeIfAbsent(registration.getInstanceId(), (id) -> {
			Session session = new Session(registration);
			session.heartbeat.start();
			return session;
		});
	}

	@Override
	public void deregister(ComponentRegistration registration) {
		Session session = this.sessions.remove(registration.getInstanceId());
		if (session != null) {
			// one call with the timeout as deadline, plus the time to get the heartbeat thread
			session.heartbeat.deregister(this.timeout.multipliedBy(2));
		}
	}

	@Override
	public void close() {
		this.sessions.values().forEach((session) -> session.heartbeat.stop());
		this.sessions.clear();
	}

	@Override
	public void setStatus(ComponentRegistration registration, String status) {
		Session session = this.sessions.get(registration.getInstanceId());
		if (session == null) {
			throw new IllegalStateException(registration.getInstanceId() + " is not registered");
		}
		session.override = (status == null || AUTO.equalsIgnoreCase(status)) ? null : InstanceStatus.valueOf(status);
		session.heartbeat.heartbeatNow();
	}

	/** Returns the effective status the registry last acknowledged, as its name; {@code null} if not registered. */
	@Override
	@SuppressWarnings("unchecked")
	public <T> T getStatus(ComponentRegistration registration) {
		Session session = this.sessions.get(registration.getInstanceId());
		return (session != null) ? (T) session.heartbeat.acknowledgedStatus().name() : null;
	}

	/** One registered instance: its heartbeat session and status override. */
	private final class Session {

		private final HeartbeatSession heartbeat;

		private volatile InstanceStatus override;

		Session(ComponentRegistration registration) {
			Backoff backoff = new Backoff(SwitchboardServiceRegistry.this.initialBackoff,
					SwitchboardServiceRegistry.this.maxBackoff, new SplittableRandom());
			this.heartbeat = new HeartbeatSession(SwitchboardServiceRegistry.this.channels, registration,
					this::status, SwitchboardServiceRegistry.this.load, backoff,
					SwitchboardServiceRegistry.this.timeout, SwitchboardServiceRegistry.this.scheduler);
		}

		private InstanceStatus status() {
			InstanceStatus forced = this.override;
			return (forced != null) ? forced : SwitchboardServiceRegistry.this.healthStatus.get();
		}

	}

}
