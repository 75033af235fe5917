package dev.switchboard.component.registration;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.connection.StaticAddressNameResolverProvider;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.component.load.CallLoad;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.DeregisterResponse;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.Lease;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegisterResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.inprocess.InProcessSocketAddress;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter's side of registration against in-process registry replicas that record what they receive and can be
 * told to forget the instance or be down, through one channel over both as production makes it over real replicas
 * (the replica it starts on is chosen at random).
 */
class HeartbeatSessionTests {

	private final String first = InProcessServerBuilder.generateName();

	private final String second = InProcessServerBuilder.generateName();

	private final RecordingRegistry firstRegistry = new RecordingRegistry();

	private final RecordingRegistry secondRegistry = new RecordingRegistry();

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicLong completed = new AtomicLong();

	private RegistryChannels channels;

	private ClientConnectionManager manager;

	private SwitchboardServiceRegistry registry;

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private final ComponentRegistration registration = new ComponentRegistration("compute", "compute-1", "127.0.0.1",
			9201, List.of("sample.Compute"), "", "", 100, Map.of());

	@AfterEach
	void stop() {
		if (this.registry != null) {
			this.registry.close();
		}
		if (this.manager != null) {
			this.manager.close();
		}
		this.servers.forEach(Server::shutdownNow);
		this.scheduler.shutdownNow();
	}

	@Test
	void whenRegisteredThenHeartbeatsCarryHealthStatusAndLoad() throws Exception {
		start(this.first, this.firstRegistry);
		this.inFlight.set(7);
		this.completed.set(1234);
		this.registry = registry(List.of(this.first));
		this.registry.register(this.registration);
		await().until(() -> this.firstRegistry.heartbeats.size() >= 3);
		assertThat(this.firstRegistry.registrations).extracting(RegisterRequest::getInstanceId)
			.containsExactly("compute-1");
		assertThat(this.firstRegistry.registrations.get(0).getServicesList()).containsExactly("sample.Compute");
		HeartbeatRequest last = this.firstRegistry.heartbeats.get(this.firstRegistry.heartbeats.size() - 1);
		assertThat(last.getStatus()).isEqualTo(InstanceStatus.UP);
		assertThat(last.getInFlight()).isEqualTo(7);
		assertThat(last.getCallsTotal()).isEqualTo(1234);
		assertThat(last.getGroup()).isEqualTo("compute");
	}

	@Test
	void whenRegistryForgetsInstanceThenRegistersAgain() throws Exception {
		start(this.first, this.firstRegistry);
		this.registry = registry(List.of(this.first));
		this.registry.register(this.registration);
		await().until(() -> this.firstRegistry.heartbeats.size() >= 1);
		this.firstRegistry.forget.set(true);
		await().until(() -> this.firstRegistry.registrations.size() == 2);
		await().until(() -> this.firstRegistry.heartbeats.size() >= 3);
	}

	@Test
	void whenFirstReplicaIsDownThenMovesToTheNext() throws Exception {
		start(this.second, this.secondRegistry);
		this.registry = registry(List.of(this.first, this.second));
		this.registry.register(this.registration);
		await().until(() -> this.secondRegistry.heartbeats.size() >= 2);
		assertThat(this.secondRegistry.registrations).hasSize(1);
	}

	@Test
	void whenReplicaDiesThenHeartbeatMovesWithoutRegisteringAgain() throws Exception {
		RecordingRegistry survivor = registeredThenHeldReplicaStopped();
		await().until(() -> survivor.heartbeats.size() >= 2);
		assertThat(survivor.registrations).isEmpty();
		// both replicas behind one connection, counted once
		assertThat(this.manager.connections(RegistryChannels.SERVICE)).hasSize(1);
	}

	@Test
	void whenTheReplicaHeldIsGoneAtDrainThenTheOtherDeregisters() throws Exception {
		RecordingRegistry survivor = registeredThenHeldReplicaStopped();

		this.registry.deregister(this.registration);

		assertThat(survivor.deregistrations).extracting(DeregisterRequest::getInstanceId).containsExactly("compute-1");
	}

	/**
	 * Registers with both replicas up, waits for the heartbeat stream, checks it went to one replica only, then stops
	 * that replica; returns the other.
	 */
	private RecordingRegistry registeredThenHeldReplicaStopped() throws Exception {
		Server firstServer = start(this.first, this.firstRegistry);
		Server secondServer = start(this.second, this.secondRegistry);
		this.registry = registry(List.of(this.first, this.second));
		this.registry.register(this.registration);
		await().until(() -> this.firstRegistry.heartbeats.size() + this.secondRegistry.heartbeats.size() >= 1);
		boolean onFirst = !this.firstRegistry.heartbeats.isEmpty();
		RecordingRegistry survivor = onFirst ? this.secondRegistry : this.firstRegistry;
		assertThat(survivor.heartbeats).as("one stream, to one replica").isEmpty();
		(onFirst ? firstServer : secondServer).shutdownNow();
		return survivor;
	}

	@Test
	void whenContextClosesThenOutOfServiceThenWaitsForCallsThenDeregisters() throws Exception {
		start(this.first, this.firstRegistry);
		this.registry = registry(List.of(this.first));
		ComponentRegistrar registrar = new ComponentRegistrar(this.registry, (server) -> this.registration,
				this.inFlight::get, Duration.ofMillis(100), Duration.ofSeconds(5));
		registrar.register(new ComponentRegistrar.BoundServer(9201, List.of("sample.Compute")));
		await().until(() -> this.firstRegistry.heartbeats.size() >= 1);
		this.inFlight.set(1);
		Thread finisher = new Thread(() -> {
			await().until(() -> this.firstRegistry.lastStatus() == InstanceStatus.OUT_OF_SERVICE);
			sleep(300);
			this.firstRegistry.inFlightWhenFinished.set(this.firstRegistry.deregistrations.size());
			this.inFlight.set(0);
		});
		finisher.start();
		registrar.onContextClosed(new ContextClosedEvent(new GenericApplicationContext()));
		finisher.join();
		assertThat(this.firstRegistry.deregistrations).hasSize(1);
		// no deregistration happened while the call was still in flight
		assertThat(this.firstRegistry.inFlightWhenFinished.get()).isZero();
	}

	private SwitchboardServiceRegistry registry(List<String> targets) {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> overReplicas(target),
				Clock.systemUTC());
		this.channels = RegistryChannels.managedBy(this.manager, targets);
		return new SwitchboardServiceRegistry(this.channels, () -> InstanceStatus.UP,
				CallLoad.of(this.inFlight::get, this.completed::get),
				Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(100), this.scheduler);
	}

	/** The registry channel over in-process replicas: the production resolver with in-process addresses. */
	@SuppressWarnings("deprecation") // gRPC offers no other per-channel resolver; production loads it by its scheme
	private static ManagedChannel overReplicas(String target) {
		return InProcessChannelBuilder.forTarget(target)
			.nameResolverFactory(new StaticAddressNameResolverProvider(InProcessSocketAddress.class,
					(name) -> List.of(new InProcessSocketAddress(name))))
			.directExecutor()
			.build();
	}

	private Server start(String name, RecordingRegistry service) throws Exception {
		Server server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
		this.servers.add(server);
		return server;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A registry replica that records calls; {@code forget} makes the next heartbeat answer NOT_FOUND. */
	static final class RecordingRegistry extends RegistryGrpc.RegistryImplBase {

		final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();

		final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();

		final List<DeregisterRequest> deregistrations = new CopyOnWriteArrayList<>();

		final AtomicBoolean forget = new AtomicBoolean();

		final AtomicInteger inFlightWhenFinished = new AtomicInteger(-1);

		InstanceStatus lastStatus() {
			return this.heartbeats.isEmpty() ? null : this.heartbeats.get(this.heartbeats.size() - 1).getStatus();
		}

		@Override
		public void register(RegisterRequest request, StreamObserver<RegisterResponse> responses) {
			this.registrations.add(request);
			responses.onNext(RegisterResponse.newBuilder()
				.setLease(Lease.newBuilder().setHeartbeatIntervalMillis(100).setTtlMillis(300))
				.build());
			responses.onCompleted();
		}

		@Override
		public StreamObserver<HeartbeatRequest> heartbeat(StreamObserver<HeartbeatResponse> responses) {
			return new StreamObserver<>() {

				@Override
				public void onNext(HeartbeatRequest request) {
					if (RecordingRegistry.this.forget.getAndSet(false)) {
						responses.onError(Status.NOT_FOUND.withDescription("forgotten").asRuntimeException());
						return;
					}
					RecordingRegistry.this.heartbeats.add(request);
					responses.onNext(HeartbeatResponse.newBuilder()
						.setStatus(request.getStatus())
						.setLease(Lease.newBuilder().setHeartbeatIntervalMillis(100).setTtlMillis(300))
						.build());
				}

				@Override
				public void onError(Throwable t) {
				}

				@Override
				public void onCompleted() {
					responses.onCompleted();
				}
			};
		}

		@Override
		public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> responses) {
			this.deregistrations.add(request);
			responses.onNext(DeregisterResponse.getDefaultInstance());
			responses.onCompleted();
		}

	}

}
