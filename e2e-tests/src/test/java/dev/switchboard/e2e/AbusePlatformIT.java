package dev.switchboard.e2e;

import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.CreateClientResponse;
import dev.switchboard.bench.load.RawBytes;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import dev.switchboard.sample.compute.v1.ListServersResponse;
import dev.switchboard.sample.compute.v1.ServerEvent;
import dev.switchboard.sample.compute.v1.WatchServerEventsRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input and faults against the platform {@code ./switchboard up --ha} starts, auth on, every hop mutual TLS:
 * each attack gets the right status with a one-line reason, a steady load through the attacked router fails no call
 * meanwhile, and no registration or decision is lost. The last case kills one auth replica under that load. Prints the
 * figures the hardening is judged by (router heap and scrape size after the metric flood, calls failed).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbusePlatformIT {

	private static final int ROUTER = 9100;

	private static final int ROUTER_HTTP = 8100;

	private static final int AUTH_HTTP = 8102;

	private static final int INSTANCE_QUOTA = 75;

	private static LaunchedPlatform platform;

	private static SteadyLoad load;

	private static String demo;

	/** A client of the attacker's own, allowed to register group {@code abuse} and to call compute. */
	private static CreateClientResponse abuser;

	@BeforeAll
	static void up() throws Exception {
		platform = LaunchedPlatform.upHa("abuse-platform",
				Map.of("SWITCHBOARD_REGISTRY_QUOTAS_INSTANCESPERCLIENT", Integer.toString(INSTANCE_QUOTA),
						// every client may call freely, but for one held to a few calls per second
						"SWITCHBOARD_ROUTER_RATELIMITS_ENABLED", "true",
						"SWITCHBOARD_ROUTER_RATELIMITS_CALLSPERSECOND", "100000",
						"SWITCHBOARD_ROUTER_RATELIMITS_PRINCIPALS_ABUSER_CALLSPERSECOND", "5"));
		AuthGrpc.AuthBlockingStub admin = withToken(AuthGrpc.newBlockingStub(platform.tls(9102, "auth")),
				platform.token(AUTH_HTTP, "SWITCHBOARD_ADMIN"));
		abuser = admin.createClient(CreateClientRequest.newBuilder()
			.setClientId("abuser")
			.addGrants("register:abuse")
			.addGrants("call:compute/*")
			.build());
		demo = platform.token(AUTH_HTTP, "SWITCHBOARD_DEMO");
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.until(() -> compute(platform.plaintext(ROUTER), demo).listServers(ListServersRequest.getDefaultInstance()),
					(response) -> true);
		load = new SteadyLoad(compute(platform.plaintext(ROUTER), demo));
		load.start();
	}

	@AfterAll
	static void down() throws Exception {
		if (load != null) {
			load.stop();
		}
		if (platform != null) {
			platform.close();
		}
	}

	/** Whatever the attack, the load on its own connection to the attacked router failed no call. */
	@AfterEach
	void steadyLoadFailedNoCall() {
		long before = load.succeeded();
		await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded() > before);
		assertThat(load.failures()).as("steady load failures").isEmpty();
	}

	@Test
	@Order(1)
	void whenUnknownMethodsFloodTheRouterThenEachIsRefusedAndItsMetricsStayBounded() throws Exception {
		ManagedChannel attacker = platform.plaintext(ROUTER);
		int methods = 3_000;
		Map<String, Integer> statuses = new ConcurrentHashMap<>();
		List<CompletableFuture<Void>> calls = new ArrayList<>();
		for (int i = 0; i < methods; i++) {
			MethodDescriptor<byte[], byte[]> method = RawBytes.method("x.Flood" + i + "/M" + i, MethodDescriptor.MethodType.UNARY);
			CompletableFuture<Void> done = new CompletableFuture<>();
			ClientCalls.asyncUnaryCall(attacker.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
					new byte[0], new StreamObserver<>() {

						@Override
						public void onNext(byte[] value) {
						}

						@Override
						public void onError(Throwable error) {
							Status status = Status.fromThrowable(error);
							statuses.merge(status.getCode() + ": " + status.getDescription(), 1, Integer::sum);
							done.complete(null);
						}

						@Override
						public void onCompleted() {
							statuses.merge("OK", 1, Integer::sum);
							done.complete(null);
						}

					});
			calls.add(done);
			if (calls.size() == 200) {
				CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
				calls.clear();
			}
		}
		CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
		assertThat(statuses).containsOnlyKeys("UNAUTHENTICATED: no bearer token in the authorization header");

		String scrape = platform.scrape(ROUTER_HTTP);
		assertThat(scrape).doesNotContain("x.Flood");
		assertThat(scrape.length()).isLessThan(1 << 20);
		System.out.printf("[abuse] metric flood of %d unknown methods: router scrape %d KiB, heap used %d MiB%n",
				methods, scrape.length() / 1024, heapUsed(scrape) >> 20);
	}

	@Test
	@Order(2)
	void whenOneConnectionFloodsStreamResetsThenTheRouterClosesThatConnectionOnly() throws Exception {
		ManagedChannel attacker = platform.plaintext(ROUTER);
		dev.switchboard.sample.compute.v1.Server server = compute(attacker, demo)
			.createServer(CreateServerRequest.newBuilder().setName("flooded").setFlavor("m1.small").setImage("debian-12")
				.build());
		// a long stream on the attacker's connection: it ends when the router closes the connection
		Recorder<ServerEvent> events = new Recorder<>();
		Metadata designated = PlatformClients.bearer(demo);
		designated.put(SwitchboardHeaders.INSTANCE, server.getServedBy());
		ComputeGrpc.newStub(attacker)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(designated))
			.watchServerEvents(WatchServerEventsRequest.newBuilder().setId(server.getId()).build(), events);
		assertThat(events.values.poll(10, TimeUnit.SECONDS)).as("the stream's first event").isNotNull();
		Metadata headers = PlatformClients.bearer(demo);
		for (int i = 0; i < 1_000 && events.error.isEmpty(); i++) {
			ClientCall<ListServersRequest, ListServersResponse> call = attacker
				.newCall(ComputeGrpc.getListServersMethod(), CallOptions.DEFAULT);
			call.start(new ClientCall.Listener<>() {
			}, headers);
			call.sendMessage(ListServersRequest.getDefaultInstance());
			call.halfClose();
			call.cancel("rapid reset", null);
		}
		Throwable ended = events.error.poll(20, TimeUnit.SECONDS);
		assertThat(ended).as("the flooding connection was closed").isNotNull();
		// the router's GOAWAY says ENHANCE_YOUR_CALM (RESOURCE_EXHAUSTED to the client) when the stream reads it before
		// the connection closes under it (UNAVAILABLE, or INTERNAL mid-frame): which one depends on timing
		assertThat(Status.fromThrowable(ended).getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
				Status.Code.INTERNAL);
	}

	@Test
	@Order(3)
	void whenACallCarriesOversizedMetadataThenItIsRefusedBeforeRouting() {
		Metadata fat = new Metadata();
		fat.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(16 * 1024));
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> compute(platform.plaintext(ROUTER), demo)
				.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(fat))
				.listServers(ListServersRequest.getDefaultInstance()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isIn(Status.Code.INTERNAL, Status.Code.RESOURCE_EXHAUSTED,
						Status.Code.UNAVAILABLE);
				assertThat(String.valueOf(ex.getStatus().getDescription())).doesNotContain("\n");
			});
	}

	@Test
	@Order(4)
	void whenSecretsAreGuessedFromAnotherAddressThenOnlyThatAddressIsLockedOut() throws Exception {
		HttpClient elsewhere = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
		HttpResponse<String> last = null;
		int attempts = 0;
		while (attempts < 20 && (last == null || last.statusCode() != 429)) {
			last = tokenRequest(elsewhere, "compute", "guess-" + attempts++);
		}
		assertThat(last.statusCode()).isEqualTo(429);
		assertThat(last.headers().firstValue("Retry-After")).isPresent();
		assertThat(last.body()).contains("too_many_requests").doesNotContain("\n");
		String secret = platform.groupSecrets().get("SWITCHBOARD_COMPUTE_CLIENT_SECRET");
		// the right secret is refused there too, while the compute replicas on 127.0.0.1 still get tokens
		assertThat(tokenRequest(elsewhere, "compute", secret).statusCode()).isEqualTo(429);
		assertThat(tokenRequest(HttpClient.newHttpClient(), "compute", secret).statusCode()).isEqualTo(200);
	}

	@Test
	@Order(5)
	void whenACallNamesAGroupThatDoesNotServeItsServiceThenPermissionDenied() {
		Metadata otherGroup = new Metadata();
		otherGroup.put(SwitchboardHeaders.GROUP, "volume");
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> compute(platform.plaintext(ROUTER), demo)
				.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(otherGroup))
				.listServers(ListServersRequest.getDefaultInstance()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
				assertThat(ex.getStatus().getDescription()).isEqualTo(
						"group 'volume' does not serve service 'switchboard.sample.compute.v1.Compute'");
			});
	}

	@Test
	@Order(6)
	void whenAClientRegistersFatInstancesThenItsQuotaStopsItAndWatchStillSendsEveryInstanceInBoundedParts()
			throws Exception {
		Identities identities = new Identities(platform.state().resolve("ca.pem"), "127.0.0.1:9102",
				LaunchedPlatform.tokenUri(AUTH_HTTP));
		PlatformIdentity identity = identities.identity("abuse", "abuse-1", "abuser", abuser.getClientSecret());
		String token = PlatformClients.token(LaunchedPlatform.tokenUri(AUTH_HTTP), "abuser",
				abuser.getClientSecret());
		ManagedChannel channel = platform.track(Identities.as(identity, "127.0.0.1:9101", "registry"));
		RegistryGrpc.RegistryBlockingStub registry = withToken(RegistryGrpc.newBlockingStub(channel), token);
		RegistryGrpc.RegistryStub streams = withToken(RegistryGrpc.newStub(channel), token);

		// a management URL elsewhere is refused before anything is written
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> registry.register(fat(0).toBuilder()
				.setManagementUrl("http://10.6.6.6:8080/actuator")
				.build()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription())
					.isEqualTo("management_url must be on the instance's own host '127.0.0.1', without user info");
			});

		ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
		List<StreamObserver<HeartbeatRequest>> heartbeats = new ArrayList<>();
		try {
			for (int i = 0; i < INSTANCE_QUOTA; i++) {
				registry.register(fat(i));
				StreamObserver<HeartbeatRequest> heartbeat = streams.heartbeat(new Recorder<HeartbeatResponse>());
				heartbeats.add(heartbeat);
				HeartbeatRequest beat = HeartbeatRequest.newBuilder()
					.setGroup("abuse")
					.setInstanceId("abuse-" + i)
					.setStatus(InstanceStatus.UP)
					.build();
				heartbeat.onNext(beat);
				beats.scheduleAtFixedRate(() -> {
					synchronized (heartbeat) {
						heartbeat.onNext(beat);
					}
				}, 500, 500, TimeUnit.MILLISECONDS);
			}
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> registry.register(fat(INSTANCE_QUOTA)))
				.satisfies((ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
					assertThat(ex.getStatus().getDescription())
						.isEqualTo("client 'abuser' already holds " + INSTANCE_QUOTA + " instances, its quota");
				});

			// a new watcher (a router starting now) gets all of it, more than the 4 MiB message limit, in parts
			Recorder<WatchEvent> watch = new Recorder<>();
			ManagedChannel watcher = platform.tls(9111, "registry");
			withToken(RegistryGrpc.newStub(watcher), demo).watch(WatchRequest.getDefaultInstance(), watch);
			long bytes = 0;
			int instances = 0;
			int abusive = 0;
			int parts = 0;
			boolean more = true;
			while (more) {
				WatchEvent part = watch.values.poll(20, TimeUnit.SECONDS);
				assertThat(part).as("snapshot part " + parts).isNotNull();
				assertThat(part.getSnapshot().getPart()).isEqualTo(parts++);
				assertThat(part.getSerializedSize()).isLessThanOrEqualTo((1 << 20) + (1 << 16));
				bytes += part.getSerializedSize();
				instances += part.getSnapshot().getInstancesCount();
				abusive += (int) part.getSnapshot()
					.getInstancesList()
					.stream()
					.filter((instance) -> instance.getGroup().equals("abuse"))
					.count();
				more = part.getSnapshot().getMore();
			}
			assertThat(bytes).isGreaterThan(4L << 20);
			assertThat(instances).isGreaterThanOrEqualTo(INSTANCE_QUOTA);
			watcher.shutdownNow();
			System.out.printf("[abuse] %d fat registrations (quota %d): Watch snapshot of %d KiB in %d parts%n",
					INSTANCE_QUOTA, INSTANCE_QUOTA, bytes >> 10, parts);
			// nothing was lost meanwhile
			assertThat(abusive).isEqualTo(INSTANCE_QUOTA);
		}
		finally {
			// heartbeats go on until every instance is deregistered, so none is evicted on the way
			for (int i = 0; i < heartbeats.size(); i++) {
				registry.deregister(DeregisterRequest.newBuilder().setGroup("abuse").setInstanceId("abuse-" + i).build());
			}
			beats.shutdownNow();
			beats.awaitTermination(5, TimeUnit.SECONDS);
			heartbeats.forEach(StreamObserver::onCompleted);
			identity.close();
		}
	}

	@Test
	@Order(7)
	void whenAClientPassesItsRateLimitThenItsExtraCallsAreRefusedAndNoOtherClientIsSlowed() throws Exception {
		String token = PlatformClients.token(LaunchedPlatform.tokenUri(AUTH_HTTP), "abuser", abuser.getClientSecret());
		ComputeGrpc.ComputeBlockingStub compute = compute(platform.plaintext(ROUTER), token);
		int refused = 0;
		for (int i = 0; i < 30; i++) {
			try {
				compute.listServers(ListServersRequest.getDefaultInstance());
			}
			catch (StatusRuntimeException ex) {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
				assertThat(ex.getStatus().getDescription())
					.isEqualTo("client 'abuser' is over its rate limit of 5 calls/s");
				refused++;
			}
		}
		assertThat(refused).isGreaterThanOrEqualTo(15);
	}

	@Test
	@Order(8)
	void whenAForeignHazelcastMemberTriesToJoinTheRegistryClusterThenItStaysAlone() throws Exception {
		Config config = new Config();
		config.setClusterName("switchboard-registry");
		config.setProperty("hazelcast.logging.type", "slf4j");
		config.setProperty("hazelcast.phone.home.enabled", "false");
		config.getJetConfig().setEnabled(false);
		config.getNetworkConfig().setPort(PlatformProcess.freePort()).setPortAutoIncrement(false);
		config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
		config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
		config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
		config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:5701",
				"127.0.0.1:5702"));
		HazelcastInstance foreign = Hazelcast.newHazelcastInstance(config);
		try {
			assertThat(foreign.getCluster().getMembers()).hasSize(1);
			assertThat(foreign.getMap("switchboard.instances").size()).isZero();
		}
		finally {
			foreign.shutdown();
		}
		// the registries still share every registration
		for (int registry : List.of(9101, 9111)) {
			assertThat(withToken(RegistryGrpc.newBlockingStub(platform.tls(registry, "registry")), demo)
				.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
				.getInstancesList()).extracting(Instance::getStatus).containsOnly(InstanceStatus.UP).hasSize(2);
		}
	}

	@Test
	@Order(9)
	void whenOneAuthReplicaIsKilledUnderLoadThenNoCallFailsAndNoDecisionIsLost() throws Exception {
		long before = load.succeeded();
		platform.kill("auth-1");
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < until) {
			Thread.sleep(200);
		}
		System.out.printf("[abuse] auth-1 killed under load: %d calls in the 10 s after, %d failed%n",
				load.succeeded() - before, load.failures().size());
		assertThat(load.succeeded()).isGreaterThan(before);
		// tokens from the surviving replica work too (once it holds the database the dead one served), and the
		// compute replicas are still registered and UP
		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.untilAsserted(() -> assertThat(compute(platform.plaintext(ROUTER), platform.token(8112, "SWITCHBOARD_DEMO"))
				.listServers(ListServersRequest.getDefaultInstance())).isNotNull());
		assertThat(withToken(RegistryGrpc.newBlockingStub(platform.tls(9111, "registry")), demo)
			.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstancesList()).extracting(Instance::getStatus).containsOnly(InstanceStatus.UP).hasSize(2);
	}

	private static RegisterRequest fat(int index) {
		RegisterRequest.Builder request = RegisterRequest.newBuilder()
			.setGroup("abuse")
			.setInstanceId("abuse-" + index)
			.setHost("127.0.0.1")
			.setPort(7000 + index)
			.putMetadata("padding", "p".repeat(8000));
		for (int i = 0; i < 250; i++) {
			request.addServices("abuse.v1." + "S".repeat(200) + i);
		}
		return request.build();
	}

	private static long heapUsed(String scrape) {
		Matcher heap = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)").matcher(scrape);
		double used = 0;
		while (heap.find()) {
			used += Double.parseDouble(heap.group(1));
		}
		return (long) used;
	}

	private static HttpResponse<String> tokenRequest(HttpClient client, String clientId, String secret)
			throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		return client.send(HttpRequest.newBuilder(LaunchedPlatform.tokenUri(AUTH_HTTP))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static ComputeGrpc.ComputeBlockingStub compute(ManagedChannel channel, String token) {
		return withToken(ComputeGrpc.newBlockingStub(channel), token).withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
		return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)));
	}

	/** Two callers listing servers through the attacked router on a connection of their own, until stopped. */
	private static final class SteadyLoad {

		private final ComputeGrpc.ComputeBlockingStub compute;

		private final AtomicLong succeeded = new AtomicLong();

		private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final List<Thread> callers = new ArrayList<>();

		private volatile boolean running = true;

		SteadyLoad(ComputeGrpc.ComputeBlockingStub compute) {
			this.compute = compute;
		}

		void start() {
			for (int i = 0; i < 2; i++) {
				this.callers.add(Thread.ofPlatform().name("steady-load-" + i).daemon().start(() -> {
					while (this.running) {
						try {
							this.compute.withDeadlineAfter(5, TimeUnit.SECONDS)
								.listServers(ListServersRequest.getDefaultInstance());
							this.succeeded.incrementAndGet();
						}
						catch (StatusRuntimeException ex) {
							this.failures.add(ex.getStatus().toString());
						}
					}
				}));
			}
		}

		long succeeded() {
			return this.succeeded.get();
		}

		List<String> failures() {
			return this.failures;
		}

		void stop() throws InterruptedException {
			this.running = false;
			for (Thread caller : this.callers) {
				caller.join(10_000);
			}
		}

	}

	private static final class Recorder<T> implements StreamObserver<T> {

		final java.util.concurrent.BlockingQueue<T> values = new java.util.concurrent.LinkedBlockingQueue<>();

		final java.util.concurrent.BlockingQueue<Throwable> error = new java.util.concurrent.LinkedBlockingQueue<>();

		@Override
		public void onNext(T value) {
			this.values.add(value);
		}

		@Override
		public void onError(Throwable t) {
			this.error.add(t);
		}

		@Override
		public void onCompleted() {
			this.error.add(Status.OK.asException());
		}

	}

}
