package dev.switchboard.component.registration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntSupplier;

import io.grpc.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * Registers the component once its gRPC server is bound, with the real port and the services the server runs, and
 * drains it when the application context closes: OUT_OF_SERVICE, a quiet period for routers to notice, a bounded wait
 * for calls in flight, then deregistration, all before any lifecycle bean (the gRPC server included) stops.
 */
public final class ComponentRegistrar {

	private static final Logger logger = LoggerFactory.getLogger(ComponentRegistrar.class);

	/** Services every server runs, which say nothing about what the component offers. */
	static final Set<String> INFRASTRUCTURE_SERVICES = Set.of("grpc.health.v1.Health",
			"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

	private final SwitchboardServiceRegistry registry;

	private final Function<BoundServer, ComponentRegistration> registrationFactory;

	private final IntSupplier inFlight;

	private final Duration quietPeriod;

	private final Duration drainTimeout;

	private volatile ComponentRegistration registration;

	private final AtomicBoolean drained = new AtomicBoolean();

	/**
	 * @param registry registers and deregisters
	 * @param registrationFactory makes the registration once the server's port and services are known
	 * @param inFlight calls in flight, waited on while draining
	 * @param quietPeriod how long to serve after reporting OUT_OF_SERVICE
	 * @param drainTimeout the longest drain, quiet period included
	 */
	public ComponentRegistrar(SwitchboardServiceRegistry registry,
			Function<BoundServer, ComponentRegistration> registrationFactory, IntSupplier inFlight,
			Duration quietPeriod, Duration drainTimeout) {
		this.registry = Objects.requireNonNull(registry, "registry");
		this.registrationFactory = Objects.requireNonNull(registrationFactory, "registrationFactory");
		this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
		this.quietPeriod = quietPeriod;
		this.drainTimeout = drainTimeout;
	}

	/** Returns what was registered (kept while and after draining), or {@code null} before the server started. */
	public ComponentRegistration registration() {
		return this.registration;
	}

	/**
	 * Returns the instance id this replica registered as, for replies that name the replica that served them, or
	 * {@code fallback} before registration.
	 */
	public String instanceIdOr(String fallback) {
		ComponentRegistration current = this.registration;
		return (current != null) ? current.getInstanceId() : fallback;
	}

	@EventListener
	public void onServerStarted(GrpcServerStartedEvent event) {
		if (event.getPort() <= 0) {
			return; // an in-process server: nothing to register
		}
		register(new BoundServer(event.getPort(), servicesOf(event.getServer())));
	}

	/** Registers the component served by {@code server}, unless it runs no service of its own. */
	void register(BoundServer server) {
		if (server.services().isEmpty()) {
			logger.warn("The gRPC server runs no service of its own; not registering");
			return;
		}
		ComponentRegistration created = this.registrationFactory.apply(server);
		this.registration = created;
		this.registry.register(created);
	}

	@EventListener
	public void onContextClosed(ContextClosedEvent event) {
		ComponentRegistration current = this.registration;
		if (current == null || !this.drained.compareAndSet(false, true)) {
			return;
		}
		long started = System.nanoTime();
		this.registry.setStatus(current, "OUT_OF_SERVICE");
		sleep(this.quietPeriod.toMillis());
		long deadline = started + this.drainTimeout.toNanos();
		while (this.inFlight.getAsInt() > 0 && System.nanoTime() < deadline) {
			sleep(20);
		}
		int left = this.inFlight.getAsInt();
		this.registry.deregister(current);
		logger.info("Drained {} in {} ms{}", current.getInstanceId(), (System.nanoTime() - started) / 1_000_000,
				(left > 0) ? "; " + left + " calls still in flight" : "");
	}

	static List<String> servicesOf(Server server) {
		return server.getImmutableServices()
			.stream()
			.map((definition) -> definition.getServiceDescriptor().getName())
			.filter((name) -> !INFRASTRUCTURE_SERVICES.contains(name))
			.sorted()
			.toList();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The gRPC server as bound.
	 *
	 * @param port the port it listens on
	 * @param services full names of the services it runs, infrastructure excluded
	 */
	public record BoundServer(int port, List<String> services) {
	}

}
