package dev.switchboard.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PlatformSecrets;
import dev.switchboard.bench.platform.WiredPlatform;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.network.v1.CreatePortRequest;
import dev.switchboard.sample.network.v1.ListPortsRequest;
import dev.switchboard.sample.network.v1.NetworkGrpc;
import dev.switchboard.sample.network.v1.Port;
import dev.switchboard.sample.network.v1.PortStatus;
import dev.switchboard.sample.network.v1.WatchPortRequest;
import dev.switchboard.launcher.topology.PlatformClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The Python sample (sample-components/network) as a component among Java ones, every check enforced: auth,
 * registry, one compute replica and a router as jars, two network replicas as Python processes started as the
 * launcher starts them, all once for the class. Callers know only the router. The later tests stop replicas, so the
 * tests run in order. Skipped, saying why, where no python3 can import grpc.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PythonComponentPlatformIT {

	private static final Duration START = Duration.ofSeconds(120);

	private static final String NETWORK_SERVICE = "switchboard.sample.network.v1.Network";

	private static final List<PlatformProcess> processes = new ArrayList<>();

	private static final Map<String, PlatformProcess> networks = new ConcurrentHashMap<>();

	private static final List<ManagedChannel> channels = new ArrayList<>();

	@TempDir
	static Path state;

	private static String python;

	private static PlatformSecrets secrets;

	/** The network group's secret: PlatformSecrets predates the group, so auth gets it in its environment. */
	private static String networkSecret;

	private static WiredPlatform platform;

	private static int routerGrpc;

	private static String demoToken;

	private static ManagedChannel router;

	private static ManagedChannel registry;

	@BeforeAll
	static void startPlatform() throws Exception {
		python = PythonComponents.interpreter();
		routerGrpc = PlatformProcess.freePort();
		platform = new WiredPlatform(state, 1);
		secrets = platform.secrets();
		networkSecret = "network-" + UUID.randomUUID();
		// as the compose stack passes the group secrets: the bootstrap gives network exactly its grants
		PlatformProcess auth = start(platform.startAuth("python-it-auth", PlatformProcess.QUICK_START_JVM, List.of(),
				Map.of("SWITCHBOARD_AUTH_BOOTSTRAP_GROUPSECRETS_NETWORK", networkSecret)));
		secrets.awaitTrustBundle(auth, START);
		start(platform.startRegistry("python-it-registry", 1, PlatformProcess.QUICK_START_JVM, List.of(), Map.of()));
		// the registry and auth first, as the launcher does: every JVM starting at once on two cores starves the rest
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		// compute asks network for ports through the router's plaintext front door, as the launcher configures it
		start(platform.start("python-it-compute", PlatformService.COMPUTE, "compute-1", PlatformProcess.QUICK_START_JVM,
				List.of("--spring.grpc.server.port=0",
						"--switchboard.grpc.clients.router.address=127.0.0.1:" + routerGrpc,
						"--switchboard.grpc.clients.router.tls.enabled=false")));
		start(platform.start("python-it-router", PlatformService.ROUTER, "router-1", PlatformProcess.QUICK_START_JVM,
				List.of("--spring.grpc.server.port=" + routerGrpc)));
		startNetwork("network-1");
		startNetwork("network-2");
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		Map<String, String> credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		demoToken = PlatformClients.token(platform.tokenUri(), credentials.get("SWITCHBOARD_DEMO_CLIENT_ID"),
				credentials.get("SWITCHBOARD_DEMO_CLIENT_SECRET"));
		router = channel(ManagedChannelBuilder.forAddress("127.0.0.1", routerGrpc).usePlaintext().build());
		// the registry serves TLS; an operator's tool reaches it without a certificate, with a token
		registry = channel(new Identities(secrets.trustBundle(), platform.authAddress(), platform.tokenUri())
			.anonymous("127.0.0.1:" + platform.registryPort(1), "registry"));
		awaitRouted("network-1");
		awaitRouted("network-2");
		// and compute: healthy is not yet UP in the router's view (its status goes out with its next heartbeat)
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.untilAsserted(() -> ComputeGrpc.newBlockingStub(router)
				.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(demoToken)))
				.withDeadlineAfter(5, TimeUnit.SECONDS)
				.listServers(ListServersRequest.getDefaultInstance()));
	}

	@AfterAll
	static void stopPlatform() throws Exception {
		for (ManagedChannel channel : channels) {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		networks.values().forEach(PlatformProcess::close);
		processes.forEach(PlatformProcess::close);
	}

	@Test
	@Order(1)
	void twoPythonReplicasRegisterTheServiceTheirServerRunsAndNoActuator() {
		List<Instance> replicas = networkGroup();

		assertThat(replicas).extracting(Instance::getInstanceId).containsExactlyInAnyOrder("network-1", "network-2");
		for (Instance replica : replicas) {
			assertThat(replica.getServicesList()).containsExactly(NETWORK_SERVICE);
			assertThat(replica.getStatus()).isEqualTo(InstanceStatus.UP);
			assertThat(replica.getHost()).isEqualTo("127.0.0.1");
			assertThat(replica.getPort()).isPositive();
			assertThat(replica.getManagementUrl()).isEmpty();
		}
	}

	@Test
	@Order(2)
	void callsThroughTheRouterAreBalancedAcrossBothReplicas() {
		Map<String, Integer> servedBy = new HashMap<>();
		for (int i = 0; i < 60; i++) {
			Port port = network(null).createPort(CreatePortRequest.newBuilder().setNetwork("private").build());
			assertThat(port.getCreatedBy()).isEqualTo("demo");
			servedBy.merge(port.getServedBy(), 1, Integer::sum);
		}
		// power of two choices between two idle replicas: each gets about half (fewer than 15 of 60: p < 1e-4)
		assertThat(servedBy.keySet()).containsExactlyInAnyOrder("network-1", "network-2");
		assertThat(servedBy.values()).allMatch((calls) -> calls >= 15);
	}

	@Test
	@Order(3)
	void theDesignatedReplicaHeaderSendsUnaryAndStreamingCallsToThatReplica() {
		for (int i = 0; i < 10; i++) {
			assertThat(network("network-2").listPorts(ListPortsRequest.getDefaultInstance()).getServedBy())
				.isEqualTo("network-2");
		}
		Port created = network("network-2").createPort(CreatePortRequest.newBuilder().setNetwork("private").build());
		List<PortStatus> statuses = new ArrayList<>();
		Iterator<Port> watched = network("network-2").watchPort(WatchPortRequest.newBuilder()
			.setId(created.getId())
			.build());
		watched.forEachRemaining((port) -> {
			assertThat(port.getServedBy()).isEqualTo("network-2");
			statuses.add(port.getStatus());
		});

		assertThat(created.getServedBy()).isEqualTo("network-2");
		assertThat(statuses).containsExactly(PortStatus.DOWN, PortStatus.ACTIVE);
		// the port lives on network-2 only
		assertThat(network("network-1").listPorts(ListPortsRequest.getDefaultInstance()).getPortsList())
			.extracting(Port::getId)
			.doesNotContain(created.getId());
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> network("compute-1").listPorts(ListPortsRequest.getDefaultInstance()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
				assertThat(ex.getStatus().getDescription())
					.isEqualTo("instance 'compute-1' is not a replica of group 'network'");
			});
	}

	@Test
	@Order(4)
	void aJavaComponentAndThePythonSampleCallEachOtherThroughTheRouter() {
		// demo -> router -> compute (Java) -> router -> network (Python) -> router -> compute-1 about the server
		Server server = ComputeGrpc.newBlockingStub(router)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(demoToken)))
			.withDeadlineAfter(15, TimeUnit.SECONDS)
			.createServer(CreateServerRequest.newBuilder()
				.setName("interop-1")
				.setFlavor("m1.small")
				.setImage("debian-12")
				.addNetworks("private")
				.build());

		assertThat(server.getServedBy()).isEqualTo("compute-1");
		assertThat(server.getPortIdsList()).hasSize(1);
		List<Port> ports = new ArrayList<>();
		for (String replica : List.of("network-1", "network-2")) {
			ports.addAll(network(replica).listPorts(ListPortsRequest.newBuilder().setDeviceId(server.getId()).build())
				.getPortsList());
		}
		assertThat(ports).singleElement().satisfies((port) -> {
			assertThat(port.getId()).isEqualTo(server.getPortIds(0));
			// compute called with its own client's token; network learnt the server's name from compute
			assertThat(port.getCreatedBy()).isEqualTo("compute");
			assertThat(port.getDeviceName()).isEqualTo("interop-1");
			assertThat(port.getHostId()).isEqualTo("compute-1");
		});
		// the Python sample relays what compute answered about a server it does not hold
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> network(null).createPort(CreatePortRequest.newBuilder()
				.setNetwork("private")
				.setDeviceId("no-such-server")
				.setHostId("compute-1")
				.build()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
				assertThat(ex.getStatus().getDescription())
					.startsWith("compute on 'compute-1' about server 'no-such-server': NOT_FOUND");
			});
	}

	@Test
	@Order(5)
	void sigtermDrainsAReplicaWithoutAFailedCallUnderSteadyLoad() throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger succeeded = new AtomicInteger();
		List<String> failures = new CopyOnWriteArrayList<>();
		Map<String, Integer> servedAfterExit = new ConcurrentHashMap<>();
		AtomicBoolean exited = new AtomicBoolean();
		ExecutorService load = Executors.newFixedThreadPool(4);
		try {
			for (int i = 0; i < 4; i++) {
				load.execute(() -> {
					while (running.get()) {
						boolean afterExit = exited.get();
						try {
							Port port = network(null)
								.createPort(CreatePortRequest.newBuilder().setNetwork("private").build());
							succeeded.incrementAndGet();
							if (afterExit) {
								servedAfterExit.merge(port.getServedBy(), 1, Integer::sum);
							}
						}
						catch (StatusRuntimeException ex) {
							failures.add(ex.getStatus().toString());
						}
						// steady, not flat out: at most 1,000 calls a second in all, so the ports created stay well
						// below a replica's limit (10,000) however fast the machine
						LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(4));
					}
				});
			}
			Thread.sleep(1000);
			int before = succeeded.get();
			Instant terminated = Instant.now();
			networks.get("network-1").terminate();
			Instant gone = networks.get("network-1").awaitExit(Duration.ofSeconds(20));
			exited.set(true);
			Thread.sleep(1000);
			running.set(false);
			System.out.printf("Drain of network-1 under load: %d calls before SIGTERM, %d in all, %d failed; exited "
					+ "%d ms after SIGTERM%n", before, succeeded.get(), failures.size(),
					Duration.between(terminated, gone).toMillis());
			assertThat(before).isPositive();
		}
		finally {
			running.set(false);
			load.shutdown();
			assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(failures).isEmpty();
		assertThat(servedAfterExit.keySet()).containsExactly("network-2");
		assertThat(networks.get("network-1").log()).contains("Drained network-1");
		// deregistered, not left to expire
		assertThat(networkGroup()).extracting(Instance::getInstanceId).containsExactly("network-2");
	}

	@Test
	@Order(6)
	void aKilledReplicaIsEvictedAndCallsGoToTheOthers() throws Exception {
		startNetwork("network-3");
		awaitRouted("network-3");
		Instant killed = Instant.now();
		networks.get("network-2").kill();

		// its heartbeat stream broke: DOWN at once, evicted once the lease's TTL (3 s) has passed
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(networkGroup()).extracting(Instance::getInstanceId)
				.containsExactly("network-3"));
		System.out.printf("network-2 evicted within %d ms of kill -9%n", Duration.between(killed, Instant.now())
			.toMillis());
		for (int i = 0; i < 20; i++) {
			assertThat(network(null).createPort(CreatePortRequest.newBuilder().setNetwork("private").build())
				.getServedBy()).isEqualTo("network-3");
		}
	}

	@Test
	@Order(7)
	void aWrongClientSecretStopsTheReplicaAtStartWithTheReason() throws Exception {
		Map<String, String> environment = networkEnvironment("network-9");
		environment.put(PlatformClient.SECRET_VARIABLE, "not-the-network-secret");
		PlatformProcess wrong = PythonComponents.startNetwork(python, "python-it-network-9", environment);
		networks.put("network-9", wrong);

		// refused by the token endpoint: no retrying until the 60 s start timeout
		wrong.awaitExit(Duration.ofSeconds(20));

		assertThat(wrong.log()).contains("Cannot join the platform")
			.contains("refused client 'network': HTTP 401")
			.doesNotContain("not-the-network-secret")
			.doesNotContain("Traceback");
		assertThat(networkGroup()).extracting(Instance::getInstanceId).doesNotContain("network-9");
	}

	private static NetworkGrpc.NetworkBlockingStub network(String instance) {
		Metadata headers = PlatformClients.bearer(demoToken);
		if (instance != null) {
			headers.put(SwitchboardHeaders.INSTANCE, instance);
		}
		return NetworkGrpc.newBlockingStub(router)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
			.withDeadlineAfter(10, TimeUnit.SECONDS);
	}

	/** The network group as the registry describes it (the demo client may discover). */
	private static List<Instance> networkGroup() {
		try {
			return withToken(RegistryGrpc.newBlockingStub(registry)).withDeadlineAfter(10, TimeUnit.SECONDS)
				.getGroup(GetGroupRequest.newBuilder().setName("network").build())
				.getInstancesList();
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.NOT_FOUND) {
				return List.of();
			}
			throw ex;
		}
	}

	private static <S extends AbstractStub<S>> S withToken(S stub) {
		return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(demoToken)));
	}

	/** Waits until the router sends a call designating {@code instance} there. */
	private static void awaitRouted(String instance) {
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(network(instance).listPorts(ListPortsRequest.getDefaultInstance())
				.getServedBy()).isEqualTo(instance));
	}

	/** The settings of network replica {@code instance}, as the launcher sets them (the secret among them). */
	private static Map<String, String> networkEnvironment(String instance) {
		Map<String, String> environment = PythonComponents.networkEnvironment(instance, networkSecret,
				platform.wiring(), routerGrpc);
		// as RouterPlatformIT gives the Java replicas: routers have a second to stop picking a draining replica
		environment.put("SWITCHBOARD_COMPONENT_DRAIN_QUIETPERIOD", "1s");
		return environment;
	}

	private static void startNetwork(String instance) {
		networks.put(instance,
				PythonComponents.startNetwork(python, "python-it-" + instance, networkEnvironment(instance)));
	}

	private static PlatformProcess start(PlatformProcess process) {
		processes.add(process);
		return process;
	}

	private static ManagedChannel channel(ManagedChannel channel) {
		channels.add(channel);
		return channel;
	}

}
