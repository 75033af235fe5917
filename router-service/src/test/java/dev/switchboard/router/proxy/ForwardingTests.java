package dev.switchboard.router.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTableUpdater;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The forwarding path end to end in-process: a caller, the router's handler registry, and replicas of a test service
 * with every call type, over channels from a real connection manager.
 */
class ForwardingTests {

	static final String SERVICE = "test.v1.Echo";

	static final Metadata.Key<String> TEST_HEADER = Metadata.Key.of("x-test", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<String> ECHOED = Metadata.Key.of("x-echoed", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<String> GROUP = Metadata.Key.of("x-switchboard-group", Metadata.ASCII_STRING_MARSHALLER);

	static final Metadata.Key<String> INSTANCE = Metadata.Key.of("x-switchboard-instance",
			Metadata.ASCII_STRING_MARSHALLER);

	private final String prefix = InProcessServerBuilder.generateName();

	private final Map<String, Replica> replicas = new HashMap<>();

	private final Map<String, EchoReplica> echoes = new HashMap<>();

	private final List<Server> servers = new ArrayList<>();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	/** Seeded, so the picks are the same in every run; calls here come one at a time. */
	private final SplittableRandom random = new SplittableRandom(7);

	private ClientConnectionManager manager;

	private RoutingTableUpdater table;

	private Server router;

	private ManagedChannel caller;

	@BeforeEach
	void startRouter() throws IOException {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build(),
				Clock.systemUTC());
		ReplicaChannels channels = new ManagedReplicaChannels(this.manager);
		this.table = new RoutingTableUpdater((instance) -> new Replica(instance,
				new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10))),
				channels::release);
		ProxyHandlerRegistry proxy = new ProxyHandlerRegistry(this.table::current, channels,
				new PowerOfTwoChoices(() -> this.random, System::nanoTime), new RetryBudget(0.2, 10),
				new ProxySettings(3, 64 * 1024), System::nanoTime, this.meters, null, false, null);
		String routerName = this.prefix + "-router";
		this.router = InProcessServerBuilder.forName(routerName)
			.directExecutor()
			.fallbackHandlerRegistry(proxy)
			.build()
			.start();
		this.caller = InProcessChannelBuilder.forName(routerName).directExecutor().build();
	}

	@AfterEach
	void stop() {
		this.caller.shutdownNow();
		this.router.shutdownNow();
		this.manager.close();
		this.servers.forEach(Server::shutdownNow);
	}

	@Test
	void whenUnaryThenBytesMetadataAndTrailersPassBothWays() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Metadata headers = new Metadata();
		headers.put(TEST_HEADER, "hello");
		headers.put(INSTANCE, "echo-1");
		Exchange exchange = call(Methods.UNARY, headers, List.of("ping"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.OK);
		assertThat(exchange.messages).containsExactly("echo-1:ping");
		assertThat(exchange.headers.get(ECHOED)).isEqualTo("hello");
		assertThat(exchange.trailers.get(TRAILER)).isEqualTo("done");
		// the platform's own keys never reach the component
		Metadata received = this.echoes.get("echo-1").lastHeaders;
		assertThat(received.get(TEST_HEADER)).isEqualTo("hello");
		assertThat(received.get(INSTANCE)).isNull();
	}

	@Test
	void whenUpstreamFailsThenStatusMessageAndTrailersReachTheCallerUntouched() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Exchange exchange = call(Methods.UNARY, new Metadata(), List.of("deny"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		assertThat(exchange.status.getDescription()).isEqualTo("denied by echo-1");
		assertThat(exchange.trailers.get(TRAILER)).isEqualTo("denied");
	}

	@Test
	void whenServerStreamingThenEveryMessageArrivesInOrder() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Exchange exchange = call(Methods.SERVER_STREAM, new Metadata(), List.of("5"));
		assertThat(exchange.status.isOk()).isTrue();
		assertThat(exchange.messages).containsExactly("echo-1:0", "echo-1:1", "echo-1:2", "echo-1:3", "echo-1:4");
	}

	@Test
	void whenClientStreamingThenEveryRequestReachesTheReplica() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Exchange exchange = call(Methods.CLIENT_STREAM, new Metadata(), List.of("a", "b", "c"));
		assertThat(exchange.messages).containsExactly("echo-1:abc");
	}

	@Test
	void whenBidiStreamingThenEachRequestIsEchoed() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Exchange exchange = call(Methods.BIDI, new Metadata(), List.of("x", "y"));
		assertThat(exchange.messages).containsExactly("echo-1:x", "echo-1:y");
	}

	@Test
	void whenCallerSetsDeadlineThenTheReplicaSeesItAndItExpires() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		ClientCall<String, String> call = this.caller.newCall(Methods.HANG,
				CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS));
		Exchange exchange = Exchange.run(call, new Metadata(), List.of("wait"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
		Deadline seen = this.echoes.get("echo-1").lastDeadline;
		assertThat(seen).isNotNull();
		assertThat(this.echoes.get("echo-1").cancelled.await(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void whenCallerCancelsThenTheReplicaCallIsCancelled() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		ClientCall<String, String> call = this.caller.newCall(Methods.HANG, CallOptions.DEFAULT);
		Exchange exchange = new Exchange();
		call.start(exchange, new Metadata());
		call.request(1);
		call.sendMessage("wait");
		call.halfClose();
		await().until(() -> this.echoes.get("echo-1").started.get() == 1);
		call.cancel("changed my mind", null);
		assertThat(this.echoes.get("echo-1").cancelled.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(exchange.await().status.getCode()).isEqualTo(Status.Code.CANCELLED);
	}

	@Test
	void whenNoGroupServesTheServiceThenNotFoundNamingIt() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		MethodDescriptor<String, String> unknown = Methods.UNARY.toBuilder()
			.setFullMethodName("nobody.v1.Serves/This")
			.build();
		Exchange exchange = Exchange.run(this.caller.newCall(unknown, CallOptions.DEFAULT), new Metadata(),
				List.of("x"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(exchange.status.getDescription()).isEqualTo("no group serves service 'nobody.v1.Serves'");
	}

	@Test
	void whenGroupHasNoUpReplicaThenUnavailableCountingStates() throws Exception {
		replicas(replica("echo-1", InstanceStatus.DOWN), replica("echo-2", InstanceStatus.OUT_OF_SERVICE),
				replica("echo-3", InstanceStatus.DOWN));
		Exchange exchange = call(Methods.UNARY, new Metadata(), List.of("x"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(exchange.status.getDescription()).contains("group 'echo' has no UP replica")
			.contains("2 DOWN")
			.contains("1 OUT_OF_SERVICE");
	}

	@Test
	void whenDesignatedReplicaIsWrongOrNotUpThenClearErrors() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP), replica("echo-2", InstanceStatus.OUT_OF_SERVICE));
		Metadata stranger = new Metadata();
		stranger.put(INSTANCE, "other-9");
		Exchange notMember = call(Methods.UNARY, stranger, List.of("x"));
		assertThat(notMember.status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(notMember.status.getDescription()).isEqualTo("instance 'other-9' is not a replica of group 'echo'");
		Metadata draining = new Metadata();
		draining.put(INSTANCE, "echo-2");
		Exchange notUp = call(Methods.UNARY, draining, List.of("x"));
		assertThat(notUp.status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
		assertThat(notUp.status.getDescription()).contains("OUT_OF_SERVICE");
	}

	@Test
	void whenGroupHeaderNamesAGroupThenItIsUsedAndUnknownOnesAreNotFound() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		Metadata named = new Metadata();
		named.put(GROUP, "echo");
		assertThat(call(Methods.UNARY, named, List.of("x")).messages).containsExactly("echo-1:x");
		Metadata unknown = new Metadata();
		unknown.put(GROUP, "ghosts");
		Exchange exchange = call(Methods.UNARY, unknown, List.of("x"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(exchange.status.getDescription()).isEqualTo("group 'ghosts' has no registered replica");
	}

	@Test
	void whenGroupHeaderNamesAnotherGroupThanTheServicesThenPermissionDeniedAndNothingIsForwarded() throws Exception {
		Instance other = replica("other-1", InstanceStatus.UP).toBuilder()
			.setGroup("other")
			.clearServices()
			.addServices("test.v1.Other")
			.build();
		replicas(replica("echo-1", InstanceStatus.UP), other);
		Metadata crossed = new Metadata();
		crossed.put(GROUP, "other");
		Exchange exchange = call(Methods.UNARY, crossed, List.of("x"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		assertThat(exchange.status.getDescription())
			.isEqualTo("group 'other' does not serve service '" + SERVICE + "'");
		assertThat(this.echoes.get("other-1").started.get()).isZero();
	}

	@Test
	void whenReplicaCannotBeReachedThenCallFailsOverToAnother() throws Exception {
		Instance gone = instance("echo-gone", InstanceStatus.UP); // registered, but no server behind it
		replicas(replica("echo-1", InstanceStatus.UP), gone);
		for (int i = 0; i < 20; i++) {
			Exchange exchange = call(Methods.UNARY, new Metadata(), List.of("n" + i));
			assertThat(exchange.status.getCode()).as("call %d", i).isEqualTo(Status.Code.OK);
			assertThat(exchange.messages).containsExactly("echo-1:n" + i);
		}
		Replica unreachable = this.table.current().group("echo").replicas().get("echo-gone");
		assertThat(unreachable.outlier().ejections()).isPositive();
	}

	@Test
	void whenReplicaAnswersUnavailableThenRetriedOnlyIfTheMethodIsIdempotent() throws Exception {
		Instance flaky = replica("echo-1", InstanceStatus.UP);
		Instance steady = replica("echo-2", InstanceStatus.UP);
		replicas(flaky, steady);
		this.echoes.get("echo-1").unavailable = true;
		int failures = 0;
		for (int i = 0; i < 20; i++) {
			if (!call(Methods.UNARY, new Metadata(), List.of("x")).status.isOk()) {
				failures++;
			}
		}
		assertThat(failures).as("the request reached the replica, so it is not replayed").isPositive();

		Instance declared = steady.toBuilder().putMetadata(GroupRoute.IDEMPOTENT_METHODS, SERVICE + "/*").build();
		replicas(flaky, declared);
		for (int i = 0; i < 20; i++) {
			assertThat(call(Methods.UNARY, new Metadata(), List.of("x")).status.getCode()).isEqualTo(Status.Code.OK);
		}
	}

	@Test
	void whenCallsEndThenMetersCountThemByGroupMethodAndStatus() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		call(Methods.UNARY, new Metadata(), List.of("ping"));
		call(Methods.UNARY, new Metadata(), List.of("deny"));
		assertThat(this.meters.get("switchboard.router.calls")
			.tags("group", "echo", "method", SERVICE + "/Unary", "status", "OK")
			.timer()
			.count()).isEqualTo(1);
		assertThat(this.meters.get("switchboard.router.calls")
			.tags("group", "echo", "status", "PERMISSION_DENIED")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void whenManyUnknownMethodsAreCalledThenTheyShareOneMeter() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP));
		int before = this.meters.getMeters().size();
		for (int i = 0; i < 200; i++) {
			MethodDescriptor<String, String> unknown = MethodDescriptor.<String, String>newBuilder()
				.setType(MethodType.UNARY)
				.setFullMethodName("x.Svc" + i + "/M" + i)
				.setRequestMarshaller(StringMarshaller.INSTANCE)
				.setResponseMarshaller(StringMarshaller.INSTANCE)
				.build();
			assertThatExceptionOfType(StatusRuntimeException.class)
				.isThrownBy(() -> ClientCalls.blockingUnaryCall(this.caller, unknown, CallOptions.DEFAULT, "x"))
				.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
		}
		assertThat(this.meters.get("switchboard.router.calls")
			.tags("group", "none", "method", ProxyHandlerRegistry.UNROUTED, "status", "NOT_FOUND")
			.timer()
			.count()).isEqualTo(200);
		assertThat(this.meters.getMeters().size() - before).isLessThanOrEqualTo(1);
	}

	@Test
	void whenReplicaLeavesThenItsConnectionIsClosed() throws Exception {
		replicas(replica("echo-1", InstanceStatus.UP), replica("echo-2", InstanceStatus.UP));
		for (int i = 0; i < 10; i++) {
			call(Methods.UNARY, new Metadata(), List.of("x"));
		}
		assertThat(this.manager.connections("echo")).hasSize(2);
		replicas(instance("echo-1", InstanceStatus.UP));
		assertThat(this.manager.connections("echo")).hasSize(1);
	}

	private Exchange call(MethodDescriptor<String, String> method, Metadata headers, List<String> requests)
			throws Exception {
		return Exchange.run(this.caller.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
				headers, requests);
	}

	/** Starts an echo replica server and returns its registration. */
	private Instance replica(String id, InstanceStatus status) throws IOException {
		EchoReplica echo = new EchoReplica(id);
		this.echoes.put(id, echo);
		this.servers.add(InProcessServerBuilder.forName(this.prefix + "-" + id + ":1")
			.directExecutor()
			.addService(echo.definition())
			.build()
			.start());
		return instance(id, status);
	}

	private Instance instance(String id, InstanceStatus status) {
		return Instance.newBuilder()
			.setGroup("echo")
			.setInstanceId(id)
			.setHost(this.prefix + "-" + id)
			.setPort(1)
			.setWeight(100)
			.setStatus(status)
			.addServices(SERVICE)
			.build();
	}

	private void replicas(Instance... instances) {
		Map<String, Instance> byId = new HashMap<>();
		for (Instance instance : instances) {
			byId.put(instance.getInstanceId(), instance);
		}
		this.table.accept(new RegistryView(this.table.current().revision() + 1, byId));
	}

	/** The test service's methods, with string messages. */
	static final class Methods {

		static final MethodDescriptor<String, String> UNARY = method("Unary", MethodType.UNARY);

		static final MethodDescriptor<String, String> SERVER_STREAM = method("ServerStream",
				MethodType.SERVER_STREAMING);

		static final MethodDescriptor<String, String> CLIENT_STREAM = method("ClientStream",
				MethodType.CLIENT_STREAMING);

		static final MethodDescriptor<String, String> BIDI = method("Bidi", MethodType.BIDI_STREAMING);

		static final MethodDescriptor<String, String> HANG = method("Hang", MethodType.UNARY);

		private static MethodDescriptor<String, String> method(String name, MethodType type) {
			return MethodDescriptor.<String, String>newBuilder()
				.setFullMethodName(SERVICE + "/" + name)
				.setType(type)
				.setRequestMarshaller(StringMarshaller.INSTANCE)
				.setResponseMarshaller(StringMarshaller.INSTANCE)
				.build();
		}

	}

	enum StringMarshaller implements MethodDescriptor.Marshaller<String> {

		INSTANCE;

		@Override
		public InputStream stream(String value) {
			return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public String parse(InputStream stream) {
			try {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** One replica of the test service; it signs every answer with its id and records what it saw. */
	static final class EchoReplica {

		final String id;

		final AtomicInteger started = new AtomicInteger();

		final CountDownLatch cancelled = new CountDownLatch(1);

		volatile Metadata lastHeaders;

		volatile Deadline lastDeadline;

		volatile boolean unavailable;

		EchoReplica(String id) {
			this.id = id;
		}

		ServerServiceDefinition definition() {
			return ServerServiceDefinition.builder(SERVICE)
				.addMethod(Methods.UNARY, handler((requests, responses, headers) -> {
					String request = requests.get(0);
					if (this.unavailable) {
						responses.close(Status.UNAVAILABLE.withDescription(this.id + " is overloaded"), new Metadata());
						return;
					}
					Metadata responseHeaders = new Metadata();
					if (headers.get(TEST_HEADER) != null) {
						responseHeaders.put(ECHOED, headers.get(TEST_HEADER));
					}
					responses.sendHeaders(responseHeaders);
					Metadata trailers = new Metadata();
					if (request.equals("deny")) {
						trailers.put(TRAILER, "denied");
						responses.close(Status.PERMISSION_DENIED.withDescription("denied by " + this.id), trailers);
						return;
					}
					responses.sendMessage(this.id + ":" + request);
					trailers.put(TRAILER, "done");
					responses.close(Status.OK, trailers);
				}))
				.addMethod(Methods.SERVER_STREAM, handler((requests, responses, headers) -> {
					responses.sendHeaders(new Metadata());
					int count = Integer.parseInt(requests.get(0));
					for (int i = 0; i < count; i++) {
						responses.sendMessage(this.id + ":" + i);
					}
					responses.close(Status.OK, new Metadata());
				}))
				.addMethod(Methods.CLIENT_STREAM, handler((requests, responses, headers) -> {
					responses.sendHeaders(new Metadata());
					responses.sendMessage(this.id + ":" + String.join("", requests));
					responses.close(Status.OK, new Metadata());
				}))
				.addMethod(Methods.BIDI, handler((requests, responses, headers) -> {
					responses.sendHeaders(new Metadata());
					requests.forEach((request) -> responses.sendMessage(this.id + ":" + request));
					responses.close(Status.OK, new Metadata());
				}))
				.addMethod(Methods.HANG, (ServerCallHandler<String, String>) (call, headers) -> {
					this.started.incrementAndGet();
					this.lastDeadline = Context.current().getDeadline();
					call.request(1);
					return new ServerCall.Listener<>() {
						@Override
						public void onCancel() {
							EchoReplica.this.cancelled.countDown();
						}
					};
				})
				.build();
		}

		/** A handler that collects every request, then answers. */
		private ServerCallHandler<String, String> handler(Answer answer) {
			return (call, headers) -> {
				this.started.incrementAndGet();
				this.lastHeaders = headers;
				this.lastDeadline = Context.current().getDeadline();
				List<String> requests = new ArrayList<>();
				call.request(Integer.MAX_VALUE);
				return new ServerCall.Listener<>() {
					@Override
					public void onMessage(String message) {
						requests.add(message);
					}

					@Override
					public void onHalfClose() {
						answer.answer(requests, call, headers);
					}
				};
			};
		}

		@FunctionalInterface
		interface Answer {

			void answer(List<String> requests, ServerCall<String, String> responses, Metadata headers);

		}

	}

	/** What a caller saw of one call. */
	static final class Exchange extends ClientCall.Listener<String> {

		final List<String> messages = new ArrayList<>();

		final CountDownLatch closed = new CountDownLatch(1);

		volatile Metadata headers = new Metadata();

		volatile Metadata trailers;

		volatile Status status;

		static Exchange run(ClientCall<String, String> call, Metadata headers, List<String> requests)
				throws InterruptedException {
			Exchange exchange = new Exchange();
			call.start(exchange, headers);
			call.request(Integer.MAX_VALUE);
			requests.forEach(call::sendMessage);
			call.halfClose();
			return exchange.await();
		}

		Exchange await() throws InterruptedException {
			assertThat(this.closed.await(10, TimeUnit.SECONDS)).as("call closed").isTrue();
			return this;
		}

		@Override
		public void onHeaders(Metadata headers) {
			this.headers = headers;
		}

		@Override
		public synchronized void onMessage(String message) {
			this.messages.add(message);
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			this.status = status;
			this.trailers = trailers;
			this.closed.countDown();
		}

	}

}
