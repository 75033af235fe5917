package dev.switchboard.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.ServerEvent;
import dev.switchboard.sample.compute.v1.ServerState;
import dev.switchboard.sample.compute.v1.WatchServerEventsRequest;
import dev.switchboard.sample.volume.v1.AttachVolumeRequest;
import dev.switchboard.sample.volume.v1.CreateVolumeRequest;
import dev.switchboard.sample.volume.v1.StorageVolume;
import dev.switchboard.sample.volume.v1.VolumeGrpc;
import dev.switchboard.launcher.topology.PlatformClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The router as an operator runs it: a registry, three compute replicas, one volume replica and a router, real jars
 * as processes on 127.0.0.1, started once. Callers know only the router's address. The later tests stop processes,
 * so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterPlatformIT {

	private static final Duration START = Duration.ofSeconds(120);

	private static final List<PlatformProcess> processes = new ArrayList<>();

	private static PlatformProcess registry;

	private static PlatformProcess router;

	private static final List<PlatformProcess> computes = new ArrayList<>();

	private static int routerPort;

	private static ManagedChannel channel;

	private static ManagedChannel registryChannel;

	@BeforeAll
	static void startPlatform() {
		int registryPort = PlatformProcess.freePort();
		routerPort = PlatformProcess.freePort();
		registry = start(PlatformProcess.start("router-it-registry", PlatformService.REGISTRY,
				List.of("--spring.grpc.server.port=" + registryPort,
						"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
						"--switchboard.registry.auth.enabled=false", "--switchboard.identity.enabled=false")));
		registry.awaitHealthy(START);
		List<String> component = List.of("--spring.grpc.server.port=0", "--switchboard.component.host=127.0.0.1",
				PlatformClient.registryArgument("127.0.0.1:" + registryPort),
				"--switchboard.component.drain.quiet-period=1s",
				// routing mechanics only: identity and authorization are the security suite's
				"--switchboard.identity.enabled=false");
		for (int i = 1; i <= 3; i++) {
			List<String> args = new ArrayList<>(component);
			args.add("--switchboard.component.instance-id=compute-" + i);
			computes.add(start(PlatformProcess.start("router-it-compute-" + i, PlatformService.COMPUTE, args)));
		}
		List<String> volumeArgs = new ArrayList<>(component);
		volumeArgs.add("--switchboard.component.instance-id=volume-1");
		PlatformProcess volume = start(PlatformProcess.start("router-it-volume-1", PlatformService.VOLUME, volumeArgs));
		List<String> routerArgs = new ArrayList<>(component);
		routerArgs.set(0, "--spring.grpc.server.port=" + routerPort);
		routerArgs.add("--switchboard.component.instance-id=router-1");
		// routing mechanics only: authorization through the router is the security suite's
		routerArgs.add("--switchboard.router.auth.enabled=false");
		router = start(PlatformProcess.start("router-it-router", PlatformService.ROUTER, routerArgs));
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		channel = ManagedChannelBuilder.forAddress("127.0.0.1", routerPort).usePlaintext().build();
		registryChannel = ManagedChannelBuilder.forAddress("127.0.0.1", registryPort).usePlaintext().build();
		// the router routes once it has seen every replica UP
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			Set<String> seen = new HashSet<>();
			for (int i = 0; i < 60; i++) {
				seen.add(servedBy(compute()));
			}
			assertThat(seen).containsExactlyInAnyOrder("compute-1", "compute-2", "compute-3");
		});
	}

	@AfterAll
	static void stopPlatform() throws Exception {
		for (ManagedChannel open : new ManagedChannel[] { channel, registryChannel }) {
			if (open != null) {
				open.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
		processes.forEach(PlatformProcess::close);
	}

	@Test
	@Order(1)
	void unaryCallsReachEveryUpReplicaThroughTheRouter() {
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			Server created = compute().createServer(CreateServerRequest.newBuilder()
				.setName("web-" + i)
				.setFlavor("m1.small")
				.setImage("debian-12")
				.build());
			servedBy.add(created.getServedBy());
		}
		assertThat(servedBy).containsExactlyInAnyOrder("compute-1", "compute-2", "compute-3");
	}

	@Test
	@Order(2)
	void serverStreamingPassesThroughToTheDesignatedReplica() {
		Server created = designated("compute-2").createServer(CreateServerRequest.newBuilder()
			.setName("streamed")
			.setFlavor("m1.small")
			.setImage("debian-12")
			.build());
		assertThat(created.getServedBy()).isEqualTo("compute-2");
		Iterator<ServerEvent> events = designated("compute-2").withDeadlineAfter(10, TimeUnit.SECONDS)
			.watchServerEvents(WatchServerEventsRequest.newBuilder().setId(created.getId()).build());
		List<ServerState> states = new ArrayList<>();
		while (states.isEmpty() || states.get(states.size() - 1) != ServerState.ACTIVE) {
			ServerEvent event = events.next();
			assertThat(event.getServedBy()).isEqualTo("compute-2");
			states.add(event.getState());
		}
		assertThat(states).endsWith(ServerState.ACTIVE);
	}

	@Test
	@Order(3)
	void designatedReplicaErrorsAreClear() {
		assertStatus(() -> designated("volume-1").listServers(ListServersRequest.getDefaultInstance()),
				Status.Code.NOT_FOUND, "instance 'volume-1' is not a replica of group 'compute'");
		RegistryGrpc.newBlockingStub(registryChannel)
			.setOutOfService(SetOutOfServiceRequest.newBuilder().setInstanceId("compute-3").setOutOfService(true).build());
		try {
			await().untilAsserted(() -> assertStatus(
					() -> designated("compute-3").listServers(ListServersRequest.getDefaultInstance()),
					Status.Code.FAILED_PRECONDITION, "instance 'compute-3' of group 'compute' is OUT_OF_SERVICE, not UP"));
			// and nobody else is sent there while it is out of service
			for (int i = 0; i < 20; i++) {
				assertThat(servedBy(compute()))
					.isNotEqualTo("compute-3");
			}
		}
		finally {
			RegistryGrpc.newBlockingStub(registryChannel)
				.setOutOfService(
						SetOutOfServiceRequest.newBuilder().setInstanceId("compute-3").setOutOfService(false).build());
		}
		assertStatus(() -> ComputeGrpc.newBlockingStub(channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header(SwitchboardHeaders.GROUP, "ghosts")))
			.listServers(ListServersRequest.getDefaultInstance()), Status.Code.NOT_FOUND,
				"group 'ghosts' has no registered replica");
	}

	@Test
	@Order(4)
	void callerDeadlineIsPropagatedAndUpstreamErrorsPassThrough() {
		Server created = designated("compute-1").createServer(CreateServerRequest.newBuilder()
			.setName("deadline")
			.setFlavor("m1.small")
			.setImage("debian-12")
			.build());
		Iterator<ServerEvent> events = designated("compute-1").withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
			.watchServerEvents(WatchServerEventsRequest.newBuilder().setId(created.getId()).build());
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> {
			while (events.hasNext()) {
				events.next();
			}
		}).satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
		// the component's own status and description come back untouched
		assertStatus(() -> designated("compute-1").getServer(GetServerRequest.newBuilder().setId("0NOSUCH").build()),
				Status.Code.NOT_FOUND, null);
	}

	@Test
	@Order(5)
	void oneComponentCallsAnotherThroughTheConnectionManager() {
		Server created = designated("compute-1").createServer(CreateServerRequest.newBuilder()
			.setName("with-disk")
			.setFlavor("m1.small")
			.setImage("debian-12")
			.build());
		VolumeGrpc.VolumeBlockingStub volumes = VolumeGrpc.newBlockingStub(channel);
		StorageVolume volume = volumes.createVolume(CreateVolumeRequest.newBuilder().setName("disk").setSizeGb(10).build());
		StorageVolume attached = volumes.attachVolume(
				AttachVolumeRequest.newBuilder().setVolumeId(volume.getId()).setServerId(created.getId()).build());
		assertThat(attached.getAttachedTo()).isEqualTo(created.getId());
		assertStatus(() -> volumes.attachVolume(
				AttachVolumeRequest.newBuilder().setVolumeId(volume.getId()).setServerId("0NOSUCHSERVER").build()),
				Status.Code.NOT_FOUND, "server '0NOSUCHSERVER' not found on any compute replica");
	}

	@Test
	@Order(6)
	void aClientThatKnowsNoProtosListsAndCallsServicesByReflection() throws Exception {
		CliRun list = CliRun.run("list", "127.0.0.1:" + routerPort);
		assertThat(list.exitCode()).isZero();
		assertThat(list.stdout()).contains("switchboard.sample.compute.v1.Compute", "switchboard.sample.volume.v1.Volume",
				"switchboard.router.v1.Router", "grpc.health.v1.Health");
		CliRun call = CliRun.run("call", "127.0.0.1:" + routerPort, "switchboard.sample.compute.v1.Compute/CreateServer",
				"{\"name\":\"by-reflection\",\"flavor\":\"m1.small\",\"image\":\"debian-12\"}");
		assertThat(call.exitCode()).as(call.stderr()).isZero();
		assertThat(call.stdout()).contains("\"name\":\"by-reflection\"").contains("\"servedBy\":\"compute-");
	}

	@Test
	@Order(7)
	void gracefulDrainUnderLoadFailsNoCall() throws Exception {
		try (Load load = new Load(4)) {
			load.awaitCalls(200);
			PlatformProcess draining = computes.get(2);
			draining.terminate();
			draining.awaitExit(Duration.ofSeconds(30));
			load.awaitCalls(load.calls() + 200);
			load.stop();
			assertThat(load.failures()).as("failed calls; first: %s", load.firstFailure()).isZero();
			assertThat(draining.log()).contains("Drained compute-3");
		}
	}

	@Test
	@Order(8)
	void killingAReplicaUnderLoadFailsOnlyCallsInFlightOnIt() throws Exception {
		try (Load load = new Load(4)) {
			load.awaitCalls(200);
			computes.get(1).kill();
			load.awaitCalls(load.calls() + 300);
			load.stop();
			// at most the calls in flight on the killed replica: one per caller
			assertThat(load.failures()).as("failed calls; first: %s", load.firstFailure()).isLessThanOrEqualTo(4);
			assertThat(servedBy(compute()))
				.isEqualTo("compute-1");
		}
	}

	@Test
	@Order(9)
	void withEveryRegistryDownTheRouterKeepsRouting() throws Exception {
		registry.kill();
		registry.awaitExit(Duration.ofSeconds(10));
		Thread.sleep(4_000); // past the lease TTL: nothing could have been renewed
		for (int i = 0; i < 20; i++) {
			assertThat(servedBy(compute()))
				.isEqualTo("compute-1");
		}
		assertThat(router.isAlive()).isTrue();
	}

	/** Creates a server and returns which replica served the call. */
	private static String servedBy(ComputeGrpc.ComputeBlockingStub stub) {
		return stub.createServer(CreateServerRequest.newBuilder()
			.setName("probe")
			.setFlavor("m1.small")
			.setImage("debian-12")
			.build()).getServedBy();
	}

	private static ComputeGrpc.ComputeBlockingStub compute() {
		return ComputeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static ComputeGrpc.ComputeBlockingStub designated(String instanceId) {
		return compute()
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header(SwitchboardHeaders.INSTANCE, instanceId)));
	}

	private static Metadata header(Metadata.Key<String> key, String value) {
		Metadata metadata = new Metadata();
		metadata.put(key, value);
		return metadata;
	}

	private static void assertStatus(Runnable call, Status.Code code, String description) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::run).satisfies((ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(code);
			if (description != null) {
				assertThat(ex.getStatus().getDescription()).isEqualTo(description);
			}
		});
	}

	private static PlatformProcess start(PlatformProcess process) {
		processes.add(process);
		return process;
	}

	/** Callers sending ListServers through the router in a closed loop, counting calls and failures. */
	private static final class Load implements AutoCloseable {

		private final ExecutorService callers;

		private final List<Future<?>> running = new ArrayList<>();

		private final AtomicBoolean stopped = new AtomicBoolean();

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger failures = new AtomicInteger();

		private final AtomicReference<Status> firstFailure = new AtomicReference<>();

		Load(int callers) {
			this.callers = Executors.newFixedThreadPool(callers);
			for (int i = 0; i < callers; i++) {
				this.running.add(this.callers.submit(() -> {
					while (!this.stopped.get()) {
						try {
							compute().listServers(ListServersRequest.getDefaultInstance());
						}
						catch (StatusRuntimeException ex) {
							this.failures.incrementAndGet();
							this.firstFailure.compareAndSet(null, ex.getStatus());
						}
						this.calls.incrementAndGet();
					}
				}));
			}
		}

		int calls() {
			return this.calls.get();
		}

		int failures() {
			return this.failures.get();
		}

		Status firstFailure() {
			return this.firstFailure.get();
		}

		void awaitCalls(int count) {
			await().atMost(Duration.ofSeconds(60)).until(() -> this.calls.get() >= count);
		}

		void stop() throws Exception {
			this.stopped.set(true);
			for (Future<?> caller : this.running) {
				caller.get(10, TimeUnit.SECONDS);
			}
		}

		@Override
		public void close() {
			this.stopped.set(true);
			this.callers.shutdownNow();
		}

	}

	/** The reflection CLI run as a process, as a user with no protos would. */
	private record CliRun(int exitCode, String stdout, String stderr) {

		static CliRun run(String... args) throws Exception {
			Path jar = PlatformProcess.checkout().cliJar();
			List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
					"-jar", jar.toString()));
			command.addAll(List.of(args));
			Process process = new ProcessBuilder(command).start();
			byte[] out = process.getInputStream().readAllBytes();
			byte[] err = process.getErrorStream().readAllBytes();
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			return new CliRun(process.exitValue(), new String(out), new String(err));
		}

	}

}
