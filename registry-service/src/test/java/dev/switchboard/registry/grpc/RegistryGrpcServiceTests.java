package dev.switchboard.registry.grpc;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.lease.HeldLeases;
import dev.switchboard.registry.quota.ClientQuotas;
import dev.switchboard.registry.security.RegistryAuthorization;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Group;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import dev.switchboard.registry.watch.WatchHub;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** The Registry service in-process, on a real single-member Hazelcast. */
class RegistryGrpcServiceTests {

	private static final int WATCH_QUEUE_LIMIT = 8;

	private static final int SNAPSHOT_PART_BYTES = 256 * 1024;

	/** Calls carrying this header act for that client, as if its token had been authorized. */
	private static final Metadata.Key<String> CLIENT = Metadata.Key.of("x-test-client", Metadata.ASCII_STRING_MARSHALLER);

	private static HazelcastInstance hazelcast;

	private static InstanceStore store;

	private static WatchHub hub;

	private static ClientQuotas quotas;

	private static HeldLeases leases;

	private Server server;

	private ManagedChannel channel;

	private RegistryGrpc.RegistryBlockingStub registry;

	private String group;

	@BeforeAll
	static void startHazelcast() {
		hazelcast = TestHazelcast.start();
		store = new InstanceStore(hazelcast, Clock.systemUTC());
		hub = new WatchHub(WATCH_QUEUE_LIMIT, SNAPSHOT_PART_BYTES, 2);
		hub.load(store.subscribe(hub));
		quotas = new ClientQuotas(3, 60_000);
		quotas.load(store.subscribe(quotas));
		leases = new HeldLeases(store, Clock.systemUTC(), Duration.ofSeconds(3), Duration.ofSeconds(5));
	}

	@AfterAll
	static void stopHazelcast() {
		hazelcast.shutdown();
	}

	@BeforeEach
	void startServer() throws Exception {
		String name = InProcessServerBuilder.generateName();
		RegistryGrpcService service = new RegistryGrpcService(store, hub, leases, quotas, Duration.ofSeconds(1),
				Duration.ofSeconds(3), ServiceExceptionHandler.of("registry"), new SimpleMeterRegistry());
		ServerInterceptor asClient = new ServerInterceptor() {

			@Override
			public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
					ServerCallHandler<Q, R> next) {
				String client = headers.get(CLIENT);
				return (client == null) ? next.startCall(call, headers) : Contexts.interceptCall(
						Context.current().withValue(RegistryAuthorization.PRINCIPAL, client), call, headers, next);
			}

		};
		this.server = InProcessServerBuilder.forName(name)
			.directExecutor()
			.addService(ServerInterceptors.intercept(service, asClient))
			.build()
			.start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.registry = RegistryGrpc.newBlockingStub(this.channel);
		this.group = "g" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void stopServer() {
		this.channel.shutdownNow();
		this.server.shutdownNow();
	}

	static Stream<Arguments> badRegistrations() {
		return Stream.of(Arguments.of("empty group", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setGroup(""),
				"group is empty"),
				Arguments.of("long group", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setGroup("g".repeat(64)),
						"longer than 63"),
				Arguments.of("bad group", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setGroup("Bad_Group\n"),
						"lower-case"),
				Arguments.of("bad host", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setHost("not a host!"),
						"not an IP address or host name"),
				Arguments.of("port 0", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setPort(0), "out of range"),
				Arguments.of("port 70000", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setPort(70000),
						"out of range"),
				Arguments.of("no services", (UnaryOperator<RegisterRequest.Builder>) RegisterRequest.Builder::clearServices,
						"services is empty"),
				Arguments.of("bad service", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.addServices("not/a.service"),
						"not a full gRPC service name"),
				Arguments.of("health service",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b.addServices("grpc.health.v1.Health"),
						"served by every instance"),
				Arguments.of("big metadata",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b.putMetadata("k", "v".repeat(9000)),
						"at most 8192"),
				Arguments.of("many metadata", (UnaryOperator<RegisterRequest.Builder>) (b) -> {
					for (int i = 0; i < 65; i++) {
						b.putMetadata("k" + i, "v");
					}
					return b;
				}, "at most 64"),
				Arguments.of("management url on another host",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b.setManagementUrl("http://10.6.6.6:8080/actuator"),
						"on the instance's own host"),
				Arguments.of("management url with user info",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b
							.setManagementUrl("http://admin@127.0.0.1:8080/actuator"),
						"without user info"),
				Arguments.of("management url not http",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b.setManagementUrl("file:///etc/passwd"),
						"http or https"),
				Arguments.of("weight too high", (UnaryOperator<RegisterRequest.Builder>) (b) -> b.setWeight(10_001),
						"out of range 0-10000"),
				Arguments.of("empty instance id",
						(UnaryOperator<RegisterRequest.Builder>) (b) -> b.setInstanceId(""), "instance_id is empty"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRegistrations")
	void whenRegistrationMalformedThenInvalidArgumentWithReasonAndNothingStored(String name,
			UnaryOperator<RegisterRequest.Builder> breaker, String reason) {
		RegisterRequest request = breaker.apply(request("a").toBuilder()).build();
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> this.registry.register(request))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
				assertThat(ex.getStatus().getDescription()).contains(reason).doesNotContain("\n");
			});
		assertThat(store.find(id("a"))).isEmpty();
		// and the registry keeps serving
		this.registry.register(request("a"));
		assertThat(store.find(id("a"))).isPresent();
	}

	@Test
	void whenRegisteredThenGroupListsInstanceAndServices() {
		this.registry.register(request("a"));
		this.registry.register(request("b"));
		await().untilAsserted(() -> {
			Group group = this.registry.getGroup(GetGroupRequest.newBuilder().setName(this.group).build());
			assertThat(group.getInstancesList()).extracting((i) -> i.getInstanceId()).containsExactly(id("a"), id("b"));
			assertThat(group.getServicesList()).containsExactly(service());
		});
		assertThat(this.registry.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList())
			.anySatisfy((summary) -> {
				assertThat(summary.getName()).isEqualTo(this.group);
				assertThat(summary.getInstances()).isEqualTo(2);
			});
	}

	@Test
	void whenGroupUnknownThenNotFound() {
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> this.registry.getGroup(GetGroupRequest.newBuilder().setName("nobody-here").build()))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
	}

	@Test
	void whenHeartbeatForUnknownInstanceThenStreamEndsNotFound() throws Exception {
		Recorder<HeartbeatResponse> responses = new Recorder<>();
		StreamObserver<HeartbeatRequest> requests = RegistryGrpc.newStub(this.channel).heartbeat(responses);
		requests.onNext(heartbeat("ghost", InstanceStatus.UP));
		Throwable error = responses.error.poll(5, TimeUnit.SECONDS);
		assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(Status.fromThrowable(error).getDescription()).contains("register it again");
	}

	@Test
	void whenAnotherClientOpensAHeartbeatStreamForAnInstanceThenPermissionDeniedAndTheOwnersStreamIsAnswered()
			throws Exception {
		Metadata owner = clientHeaders(this.group);
		Metadata intruder = clientHeaders(this.group + "-intruder");
		this.registry.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(owner)).register(request("owned"));
		// this replica sees the owner: the owner's stream binds from the view, anyone else's is checked in the cluster
		await().until(() -> quotas.holderOf(id("owned")) != null);
		Recorder<HeartbeatResponse> refused = new Recorder<>();
		RegistryGrpc.newStub(this.channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(intruder))
			.heartbeat(refused)
			.onNext(heartbeat("owned", InstanceStatus.UP));
		Status status = Status.fromThrowable(refused.error.poll(5, TimeUnit.SECONDS));
		assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		assertThat(status.getDescription()).contains("registered by another client");
		Recorder<HeartbeatResponse> answered = new Recorder<>();
		RegistryGrpc.newStub(this.channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(owner))
			.heartbeat(answered)
			.onNext(heartbeat("owned", InstanceStatus.UP));
		assertThat(answered.values.poll(5, TimeUnit.SECONDS).getStatus()).isEqualTo(InstanceStatus.UP);
		assertThat(store.find(id("owned")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenHeartbeatStreamBreaksThenInstanceDownAtOnce() throws Exception {
		this.registry.register(request("a"));
		Recorder<HeartbeatResponse> responses = new Recorder<>();
		StreamObserver<HeartbeatRequest> requests = RegistryGrpc.newStub(this.channel).heartbeat(responses);
		requests.onNext(heartbeat("a", InstanceStatus.UP));
		assertThat(responses.values.poll(5, TimeUnit.SECONDS).getStatus()).isEqualTo(InstanceStatus.UP);
		requests.onError(Status.CANCELLED.asException());
		await().untilAsserted(
				() -> assertThat(store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.DOWN));
	}

	@Test
	void groupAnswersCarryCallRatesAndLeaseRenewals() throws Exception {
		long before = System.currentTimeMillis();
		this.registry.register(request("a"));
		Recorder<HeartbeatResponse> responses = new Recorder<>();
		StreamObserver<HeartbeatRequest> requests = RegistryGrpc.newStub(this.channel).heartbeat(responses);
		long firstSent = System.nanoTime();
		requests.onNext(heartbeat("a", InstanceStatus.UP).toBuilder().setCallsTotal(1_000).build());
		assertThat(responses.values.poll(5, TimeUnit.SECONDS)).isNotNull();
		long firstAnswered = System.nanoTime();
		// the registry samples the rate between the two heartbeats' arrivals: let measurable time pass between them
		await().pollInterval(Duration.ofMillis(10))
			.until(() -> System.nanoTime() - firstAnswered >= TimeUnit.MILLISECONDS.toNanos(100));
		long secondSent = System.nanoTime();
		requests.onNext(heartbeat("a", InstanceStatus.UP).toBuilder().setCallsTotal(1_100).build());
		assertThat(responses.values.poll(5, TimeUnit.SECONDS)).isNotNull();
		long secondAnswered = System.nanoTime();
		// 100 calls between two arrivals that lie within these bounds, however fast the machine
		double slowest = 100 / ((secondAnswered - firstSent) / 1e9);
		double fastest = 100 / ((secondSent - firstAnswered) / 1e9);
		await().untilAsserted(() -> {
			Instance instance = this.registry.getGroup(GetGroupRequest.newBuilder().setName(this.group).build())
				.getInstances(0);
			assertThat(instance.getCallsPerSecond()).isBetween(slowest * 0.999, fastest * 1.001);
			assertThat(instance.getRenewedAt().getSeconds() * 1000).isGreaterThanOrEqualTo(before / 1000 * 1000);
		});
		requests.onCompleted();
	}

	@Test
	void whenHeartbeatStreamSwitchesInstanceThenInvalidArgument() throws Exception {
		this.registry.register(request("a"));
		this.registry.register(request("b"));
		Recorder<HeartbeatResponse> responses = new Recorder<>();
		StreamObserver<HeartbeatRequest> requests = RegistryGrpc.newStub(this.channel).heartbeat(responses);
		requests.onNext(heartbeat("a", InstanceStatus.UP));
		requests.onNext(heartbeat("b", InstanceStatus.UP));
		Throwable error = responses.error.poll(5, TimeUnit.SECONDS);
		assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
	}

	@Test
	void whenWatchingThenSnapshotFirstThenEveryChangeWithConsecutiveRevisionsEachInstancesInOrder() throws Exception {
		this.registry.register(request("a"));
		await().until(() -> hub.find(id("a")) != null);
		Recorder<WatchEvent> events = new Recorder<>();
		RegistryGrpc.newStub(this.channel)
			.watch(WatchRequest.newBuilder().addGroups(this.group).build(), events);
		WatchEvent snapshot = events.values.poll(5, TimeUnit.SECONDS);
		assertThat(snapshot.getRevision()).isEqualTo(1);
		assertThat(snapshot.getSnapshot().getInstancesList()).extracting((i) -> i.getInstanceId())
			.containsExactly(id("a"));

		this.registry.register(request("b"));
		this.registry.setOutOfService(SetOutOfServiceRequest.newBuilder()
			.setInstanceId(id("a"))
			.setOutOfService(true)
			.build());
		this.registry.deregister(DeregisterRequest.newBuilder().setGroup(this.group).setInstanceId(id("b")).build());

		List<String> seen = new ArrayList<>();
		for (long revision = 2; revision <= 4; revision++) {
			WatchEvent event = events.values.poll(5, TimeUnit.SECONDS);
			assertThat(event.getRevision()).isEqualTo(revision);
			seen.add(switch (event.getKindCase()) {
				case UPDATED -> "updated " + event.getUpdated().getInstance().getInstanceId() + " "
						+ event.getUpdated().getInstance().getStatus();
				case REMOVED -> "removed " + event.getRemoved().getInstance().getInstanceId() + " "
						+ event.getRemoved().getReason();
				default -> event.getKindCase().name();
			});
		}
		// each instance's changes in the order they were made; changes of different instances may cross (the
		// cluster delivers each key's events in order, not every key's in one order)
		assertThat(seen).containsExactlyInAnyOrder("updated " + id("b") + " STARTING",
				"updated " + id("a") + " OUT_OF_SERVICE", "removed " + id("b") + " DEREGISTERED");
		assertThat(seen.indexOf("updated " + id("b") + " STARTING"))
			.isLessThan(seen.indexOf("removed " + id("b") + " DEREGISTERED"));
	}

	@Test
	void whenWatcherFallsBehindThenFreshSnapshotAndNoGap() throws Exception {
		Recorder<WatchEvent> events = new Recorder<>();
		ClientResponseObserver<WatchRequest, WatchEvent> slow = new ClientResponseObserver<>() {

			@Override
			public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
				events.call = requestStream;
				requestStream.disableAutoRequestWithInitial(1);
			}

			@Override
			public void onNext(WatchEvent value) {
				events.onNext(value);
			}

			@Override
			public void onError(Throwable t) {
				events.onError(t);
			}

			@Override
			public void onCompleted() {
				events.onCompleted();
			}
		};
		RegistryGrpc.newStub(this.channel).watch(WatchRequest.newBuilder().addGroups(this.group).build(), slow);
		assertThat(events.values.poll(5, TimeUnit.SECONDS).hasSnapshot()).isTrue();
		int registered = WATCH_QUEUE_LIMIT * 3;
		for (int i = 0; i < registered; i++) {
			this.registry.register(request("n" + i));
		}
		await().until(() -> hub.instances().stream().filter((instance) -> instance.getInstanceId().startsWith(this.group)).count() == registered);
		events.call.request(Integer.MAX_VALUE);

		long expectedRevision = 2;
		int known = 0;
		boolean resynced = false;
		while (known < registered) {
			WatchEvent event = events.values.poll(5, TimeUnit.SECONDS);
			assertThat(event).as("event after revision " + (expectedRevision - 1)).isNotNull();
			assertThat(event.getRevision()).isEqualTo(expectedRevision++);
			if (event.hasSnapshot()) {
				resynced = true;
				known = event.getSnapshot().getInstancesCount();
			}
			else {
				known++;
			}
		}
		assertThat(resynced).isTrue();
		assertThat(known).isEqualTo(registered);
	}

	@Test
	void whenSnapshotIsLargerThanAPartThenItArrivesInNumberedPartsThatAddUp() throws Exception {
		// fat registrations, as an attacker with register rights would send: each near 60 KB, 2 MB in all
		List<String> services = new ArrayList<>();
		for (int i = 0; i < 250; i++) {
			services.add("fat.v1." + "S".repeat(200) + i + this.group);
		}
		int fat = 35;
		for (int i = 0; i < fat; i++) {
			this.registry.register(request("fat" + i).toBuilder()
				.addAllServices(services)
				.putMetadata("padding", "p".repeat(8000))
				.build());
		}
		await().until(() -> hub.instances().stream().filter((instance) -> instance.getInstanceId().startsWith(this.group)).count() == fat);

		Recorder<WatchEvent> events = new Recorder<>();
		RegistryGrpc.newStub(this.channel).watch(WatchRequest.newBuilder().addGroups(this.group).build(), events);
		int instances = 0;
		int part = 0;
		boolean more = true;
		while (more) {
			WatchEvent event = events.values.poll(5, TimeUnit.SECONDS);
			assertThat(event).as("snapshot part " + part).isNotNull();
			assertThat(event.getRevision()).isEqualTo(part + 1);
			assertThat(event.getSnapshot().getPart()).isEqualTo(part++);
			assertThat(event.getSerializedSize()).isLessThan(SNAPSHOT_PART_BYTES + 1024);
			instances += event.getSnapshot().getInstancesCount();
			more = event.getSnapshot().getMore();
		}
		assertThat(part).isGreaterThan(1);
		assertThat(instances).isEqualTo(fat);
		// one reply cannot hold twice as much: GetGroup says so and where to read it instead
		for (int i = fat; i < 2 * fat; i++) {
			this.registry.register(request("fat" + i).toBuilder()
				.addAllServices(services)
				.putMetadata("padding", "p".repeat(8000))
				.build());
		}
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> this.registry.getGroup(GetGroupRequest.newBuilder().setName(this.group).build()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
				assertThat(ex.getStatus().getDescription()).endsWith("more than one reply holds; read it with Watch");
			});
	}

	@Test
	void whenClientPassesItsInstanceQuotaThenResourceExhaustedAndNothingLeftBehind() {
		RegistryGrpc.RegistryBlockingStub asClient = this.registry
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(clientHeaders(this.group)));
		for (int i = 0; i < 3; i++) {
			asClient.register(request("q" + i));
		}
		await().until(() -> quotas.usage(this.group).instances() == 3);
		// updating a held instance stays within the quota
		asClient.register(request("q0").toBuilder().putMetadata("k", "v").build());

		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> asClient.register(request("q3")))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
				assertThat(ex.getStatus().getDescription())
					.isEqualTo("client '" + this.group + "' already holds 3 instances, its quota");
			});
		assertThat(store.find(id("q3"))).isEmpty();

		// another client is not affected, and a freed slot can be used again
		this.registry.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(clientHeaders(this.group + "x")))
			.register(request("other"));
		asClient.deregister(DeregisterRequest.newBuilder().setGroup(this.group).setInstanceId(id("q1")).build());
		await().until(() -> quotas.usage(this.group).instances() == 2);
		asClient.register(request("q3"));
	}

	@Test
	void whenClientPassesItsByteQuotaThenResourceExhausted() {
		RegistryGrpc.RegistryBlockingStub asClient = this.registry
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(clientHeaders(this.group)));
		RegisterRequest fat = request("b0").toBuilder().putMetadata("padding", "p".repeat(8000)).build();
		for (int i = 0; i < 2; i++) {
			asClient.register(fat.toBuilder().setInstanceId(id("b" + i)).putMetadata("pad2", "q".repeat(100)).build());
		}
		await().until(() -> quotas.usage(this.group).instances() == 2);
		// growing a held instance past the byte quota is refused too
		RegisterRequest.Builder fatter = fat.toBuilder();
		for (int i = 0; i < 250; i++) {
			fatter.addServices("fat.v1." + "S".repeat(200) + i + this.group);
		}
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> asClient.register(fatter.build()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
				assertThat(ex.getStatus().getDescription()).startsWith("client '" + this.group + "' would hold ")
					.endsWith(" bytes of registrations, over its quota of 60000");
			});
		assertThat(store.find(id("b0")).orElseThrow().services()).hasSize(1);
	}

	@Test
	void whenClientHoldsItsWatchStreamsThenAnotherIsRefusedUntilOneEnds() throws Exception {
		RegistryGrpc.RegistryStub asClient = RegistryGrpc.newStub(this.channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(clientHeaders(this.group)));
		List<Recorder<WatchEvent>> open = new ArrayList<>();
		List<Context.CancellableContext> contexts = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			Recorder<WatchEvent> events = new Recorder<>();
			Context.CancellableContext context = Context.current().withCancellation();
			context.run(() -> asClient.watch(WatchRequest.newBuilder().addGroups(this.group).build(), events));
			assertThat(events.values.poll(5, TimeUnit.SECONDS).hasSnapshot()).isTrue();
			open.add(events);
			contexts.add(context);
		}
		Recorder<WatchEvent> third = new Recorder<>();
		asClient.watch(WatchRequest.newBuilder().addGroups(this.group).build(), third);
		Status refused = Status.fromThrowable(third.error.poll(5, TimeUnit.SECONDS));
		assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(refused.getDescription()).contains("already holds 2 Watch streams");

		contexts.get(0).cancel(null);
		await().untilAsserted(() -> {
			Recorder<WatchEvent> again = new Recorder<>();
			Context.CancellableContext context = Context.current().withCancellation();
			context.run(() -> asClient.watch(WatchRequest.newBuilder().addGroups(this.group).build(), again));
			try {
				assertThat(again.values.poll(1, TimeUnit.SECONDS)).isNotNull();
			}
			finally {
				context.cancel(null);
			}
		});
		contexts.forEach((context) -> context.cancel(null));
	}

	private static Metadata clientHeaders(String client) {
		Metadata headers = new Metadata();
		headers.put(CLIENT, client);
		return headers;
	}

	private RegisterRequest request(String name) {
		return RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(id(name))
			.setHost("127.0.0.1")
			.setPort(7000)
			.addServices(service())
			.build();
	}

	private HeartbeatRequest heartbeat(String name, InstanceStatus status) {
		return HeartbeatRequest.newBuilder().setGroup(this.group).setInstanceId(id(name)).setStatus(status).build();
	}

	private String service() {
		return "test.v1.Service" + this.group;
	}

	private String id(String name) {
		return this.group + "-" + name;
	}

	static final class Recorder<T> implements StreamObserver<T> {

		final BlockingQueue<T> values = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> error = new LinkedBlockingQueue<>();

		volatile ClientCallStreamObserver<?> call;

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
