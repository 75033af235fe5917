package dev.switchboard.sample.compute;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.ConsoleChunk;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.DeleteServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.ServerEvent;
import dev.switchboard.sample.compute.v1.ServerState;
import dev.switchboard.sample.compute.v1.StreamConsoleOutputRequest;
import dev.switchboard.sample.compute.v1.WatchServerEventsRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ComputeGrpcServiceTests {

	private static final String REPLICA = "compute-10.0.0.7-41001";

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private io.grpc.Server server;

	private ManagedChannel channel;

	private ServerStore store;

	/** Messages the service handed to gRPC, on any call: what it sent, whether or not the client has read it. */
	private final AtomicInteger sentMessages = new AtomicInteger();

	@AfterEach
	void cleanUp() throws InterruptedException {
		if (this.channel != null) {
			this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		if (this.server != null) {
			this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		this.scheduler.shutdownNow();
	}

	private ComputeGrpc.ComputeBlockingStub start(Duration buildTime) throws IOException {
		return start(buildTime, () -> REPLICA);
	}

	private ComputeGrpc.ComputeBlockingStub start(Duration buildTime, Supplier<String> servedBy) throws IOException {
		return start(buildTime, servedBy, NetworkPorts.none());
	}

	private ComputeGrpc.ComputeBlockingStub start(Duration buildTime, Supplier<String> servedBy, NetworkPorts ports)
			throws IOException {
		this.store = new ServerStore(this.scheduler, buildTime, Clock.systemUTC());
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name)
			.directExecutor()
			.addService(ServerInterceptors.intercept(new ComputeGrpcService(this.store, ports, servedBy),
					new CountSent()))
			.build()
			.start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		return ComputeGrpc.newBlockingStub(this.channel);
	}

	private static CreateServerRequest create(String name) {
		return CreateServerRequest.newBuilder().setName(name).setFlavor("m1.small").setImage("ubuntu-24.04").build();
	}

	@Test
	void whenServerCreatedThenBuildingAndServedByThisReplica() throws IOException {
		Server created = start(Duration.ofHours(1)).createServer(create("web-1"));
		assertThat(created.getId()).isNotEmpty();
		assertThat(created.getName()).isEqualTo("web-1");
		assertThat(created.getFlavor()).isEqualTo("m1.small");
		assertThat(created.getImage()).isEqualTo("ubuntu-24.04");
		assertThat(created.getState()).isEqualTo(ServerState.BUILDING);
		assertThat(created.getCreatedAt().getSeconds()).isPositive();
		assertThat(created.getServedBy()).isEqualTo(REPLICA);
	}

	@Test
	void whenCreatedWithNetworksThenThePortsAreAskedForOnceTheServerIsHeldAndComeBackWithIt() throws IOException {
		List<String> asked = new ArrayList<>();
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1), () -> REPLICA,
				(serverId, host, networks) -> {
					// the network group asks this replica about the server while the ports are being made
					asked.add(this.store.get(serverId).state() + " " + host + " " + networks);
					return List.of("port-a", "port-b");
				});

		Server created = compute.createServer(create("web-1").toBuilder().addNetworks("private").addNetworks("public")
			.build());

		assertThat(asked).containsExactly("BUILDING " + REPLICA + " [private, public]");
		assertThat(created.getPortIdsList()).containsExactly("port-a", "port-b");
		assertThat(compute.getServer(GetServerRequest.newBuilder().setId(created.getId()).build()).getPortIdsList())
			.containsExactly("port-a", "port-b");
		assertThat(compute.createServer(create("web-2")).getPortIdsList()).isEmpty();
		assertThat(asked).hasSize(1);
	}

	@Test
	void whenTheServerGetsNoPortThenItIsDeletedAgainAndTheRefusalComesBack() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));

		assertStatus(() -> compute.createServer(create("web-1").toBuilder().addNetworks("private").build()),
				Status.Code.FAILED_PRECONDITION, "this compute replica has no router to ask the network group "
						+ "through (switchboard.grpc.clients.router.address)");

		assertThat(compute.listServers(ListServersRequest.getDefaultInstance()).getServersList()).isEmpty();
	}

	@Test
	void whenNetworksAreTooManyOrUnnamedThenInvalidArgumentAndNothingIsCreated() throws IOException {
		List<String> asked = new ArrayList<>();
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1), () -> REPLICA,
				(serverId, host, networks) -> {
					asked.add(serverId);
					return List.of();
				});
		CreateServerRequest.Builder nine = create("web-1").toBuilder();
		for (int i = 0; i < 9; i++) {
			nine.addNetworks("net-" + i);
		}

		assertStatus(() -> compute.createServer(nine.build()), Status.Code.INVALID_ARGUMENT,
				"a server is plugged into at most 8 networks, not 9");
		assertStatus(() -> compute.createServer(create("web-1").toBuilder().addNetworks(" ").build()),
				Status.Code.INVALID_ARGUMENT, "every network needs a name of at most 63 characters");

		assertThat(asked).isEmpty();
		assertThat(compute.listServers(ListServersRequest.getDefaultInstance()).getServersList()).isEmpty();
	}

	@Test
	void whenNameEmptyThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> compute.createServer(create("")), Status.Code.INVALID_ARGUMENT, "name is required");
	}

	@Test
	void whenNameOver63CharactersThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> compute.createServer(create("x".repeat(64))), Status.Code.INVALID_ARGUMENT,
				"name is 64 characters long; the limit is 63");
	}

	@Test
	void whenFlavorMissingThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> compute.createServer(create("web-1").toBuilder().clearFlavor().build()),
				Status.Code.INVALID_ARGUMENT, "flavor is required");
	}

	@Test
	void whenGetThenServerAsItStandsServedByThisReplica() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		Server created = compute.createServer(create("web-1"));
		Server got = compute.getServer(GetServerRequest.newBuilder().setId(created.getId()).build());
		assertThat(got).isEqualTo(created);
	}

	@Test
	void whenGetUnknownIdThenNotFoundNamingId() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> compute.getServer(GetServerRequest.newBuilder().setId("0NOSUCHSERVER").build()),
				Status.Code.NOT_FOUND, "server '0NOSUCHSERVER' not found");
	}

	@Test
	void whenGetWithoutIdThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> compute.getServer(GetServerRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT,
				"id is required");
	}

	@Test
	void whenListedThenEveryServerServedByThisReplicaOldestFirst() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String first = compute.createServer(create("web-1")).getId();
		String second = compute.createServer(create("web-2")).getId();
		assertThat(compute.listServers(ListServersRequest.getDefaultInstance()).getServersList())
			.allSatisfy((server) -> assertThat(server.getServedBy()).isEqualTo(REPLICA))
			.extracting(Server::getId)
			.containsExactly(first, second);
	}

	@Test
	void whenDeletedThenDeletedAndNoLongerListed() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		Server deleted = compute.deleteServer(DeleteServerRequest.newBuilder().setId(id).build());
		assertThat(deleted.getId()).isEqualTo(id);
		assertThat(deleted.getState()).isEqualTo(ServerState.DELETED);
		assertThat(deleted.getServedBy()).isEqualTo(REPLICA);
		assertThat(compute.listServers(ListServersRequest.getDefaultInstance()).getServersList()).isEmpty();
	}

	@Test
	void whenDeletedTwiceThenNotFound() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		compute.deleteServer(DeleteServerRequest.newBuilder().setId(id).build());
		assertStatus(() -> compute.deleteServer(DeleteServerRequest.newBuilder().setId(id).build()),
				Status.Code.NOT_FOUND, "server '" + id + "' not found");
	}

	@Test
	void whenWatchedThenCurrentStateThenActiveThenDeletedThenCompleted() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofMillis(150));
		String id = compute.createServer(create("web-1")).getId();
		Events events = new Events();
		ComputeGrpc.newStub(this.channel).watchServerEvents(watch(id), events);

		ServerEvent current = events.next();
		assertThat(current.getServerId()).isEqualTo(id);
		assertThat(current.getState()).isEqualTo(ServerState.BUILDING);
		assertThat(current.getMessage()).isEqualTo("current state");
		assertThat(current.getServedBy()).isEqualTo(REPLICA);
		assertThat(current.getTimestamp().getSeconds()).isPositive();

		ServerEvent active = events.next();
		assertThat(active.getState()).isEqualTo(ServerState.ACTIVE);
		assertThat(active.getServedBy()).isEqualTo(REPLICA);
		assertThat(compute.getServer(GetServerRequest.newBuilder().setId(id).build()).getState())
			.isEqualTo(ServerState.ACTIVE);

		compute.deleteServer(DeleteServerRequest.newBuilder().setId(id).build());
		ServerEvent deleted = events.next();
		assertThat(deleted.getState()).isEqualTo(ServerState.DELETED);
		assertThat(deleted.getMessage()).isEqualTo("deleted");
		assertThat(events.end()).isSameAs(Events.COMPLETED);
		assertThat(this.store.watchers()).isZero();
	}

	@Test
	void whenWatchingActiveServerThenFirstEventIsActive() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ZERO);
		String id = compute.createServer(create("web-1")).getId();
		awaitState(compute, id, ServerState.ACTIVE);
		Events events = new Events();
		ComputeGrpc.newStub(this.channel).watchServerEvents(watch(id), events);
		assertThat(events.next().getState()).isEqualTo(ServerState.ACTIVE);
		assertThat(events.queue).isEmpty();
	}

	@Test
	void whenWatchUnknownIdThenNotFound() throws Exception {
		start(Duration.ofHours(1));
		Events events = new Events();
		ComputeGrpc.newStub(this.channel).watchServerEvents(watch("0NOSUCHSERVER"), events);
		Object end = events.end();
		assertThat(end).isInstanceOf(StatusRuntimeException.class);
		Status status = ((StatusRuntimeException) end).getStatus();
		assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(status.getDescription()).isEqualTo("server '0NOSUCHSERVER' not found");
	}

	@Test
	void whenWatcherCancelsThenSubscriptionIsRemoved() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		Events events = new Events();
		ComputeGrpc.newStub(this.channel).watchServerEvents(watch(id), events);
		assertThat(events.next().getState()).isEqualTo(ServerState.BUILDING);
		assertThat(this.store.watchers()).isEqualTo(1);

		events.call.cancel("caller lost interest", null);

		assertThat(events.end()).isInstanceOf(StatusRuntimeException.class);
		awaitNoWatchers();
		// the server goes on without its watcher
		assertThat(compute.deleteServer(DeleteServerRequest.newBuilder().setId(id).build()).getState())
			.isEqualTo(ServerState.DELETED);
	}

	@Test
	void whenWatchDeadlinePassesThenSubscriptionIsRemoved() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		Events events = new Events();
		ComputeGrpc.newStub(this.channel)
			.withDeadlineAfter(100, TimeUnit.MILLISECONDS)
			.watchServerEvents(watch(id), events);
		assertThat(events.next().getState()).isEqualTo(ServerState.BUILDING);
		Object end = events.end();
		assertThat(end).isInstanceOf(StatusRuntimeException.class);
		assertThat(((StatusRuntimeException) end).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
		awaitNoWatchers();
	}

	@Test
	void whenReplicaShuttingDownThenCreateUnavailable() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		this.scheduler.shutdown();
		assertStatus(() -> compute.createServer(create("web-1")), Status.Code.UNAVAILABLE,
				"this compute replica is shutting down; use another");
	}

	@Test
	void whenServiceFailsUnexpectedlyThenInternalWithoutDetails() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1), () -> {
			throw new IllegalStateException("secret detail");
		});
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> compute.createServer(create("web-1")))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
				assertThat(ex.getStatus().getDescription()).isEqualTo("internal compute error");
				assertThat(ex.getStatus().getCause()).isNull();
				assertThat(ex.getTrailers().toString()).doesNotContain("secret");
			});
	}

	@Test
	void whenConsoleStreamedThenChunksOfDefaultSizeWithContiguousOffsetsRepeatingTheBootLog() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		List<ConsoleChunk> chunks = drain(compute.streamConsoleOutput(console(id, 100_000, 0)));

		assertThat(chunks).extracting((chunk) -> chunk.getData().size())
			.containsExactly(16384, 16384, 16384, 16384, 16384, 16384, 1696);
		assertThat(chunks).extracting(ConsoleChunk::getOffset)
			.containsExactly(0L, 16384L, 32768L, 49152L, 65536L, 81920L, 98304L);
		assertThat(chunks).allSatisfy((chunk) -> assertThat(chunk.getServedBy()).isEqualTo(REPLICA));
		byte[] bootLog = ConsoleLog.of(this.store.get(id)).text().getBytes(StandardCharsets.UTF_8);
		byte[] streamed = concat(chunks);
		assertThat(bootLog.length).isLessThan(streamed.length / 2);
		for (int i = 0; i < streamed.length; i++) {
			if (streamed[i] != bootLog[i % bootLog.length]) {
				throw new AssertionError("byte " + i + " is not the boot log's byte " + (i % bootLog.length));
			}
		}
	}

	@Test
	void whenMaxBytesZeroThenTheBootLogOnceInOneChunk() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		List<ConsoleChunk> chunks = drain(compute.streamConsoleOutput(console(id, 0, 0)));

		assertThat(chunks).hasSize(1);
		String log = chunks.get(0).getData().toStringUtf8();
		assertThat(log).isEqualTo(ConsoleLog.of(this.store.get(id)).text())
			.startsWith(this.store.get(id).createdAt().toString().substring(0, 16))
			.contains(" web-1 kernel: [    0.000000] Linux version ", "Hostname set to <web-1>.", id,
					"flavor m1.small image ubuntu-24.04")
			.endsWith("web-1 login:\n");
	}

	@Test
	void whenChunkSizeGivenThenChunksOfThatSizeAndAShorterLastOne() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		List<ConsoleChunk> chunks = drain(compute.streamConsoleOutput(console(id, 2_500, 1_000)));
		assertThat(chunks).extracting((chunk) -> chunk.getData().size()).containsExactly(1000, 1000, 500);
		assertThat(chunks).extracting(ConsoleChunk::getOffset).containsExactly(0L, 1000L, 2000L);
	}

	@Test
	void whenConsoleOfUnknownServerThenNotFound() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> drain(compute.streamConsoleOutput(console("0NOSUCHSERVER", 10, 0))), Status.Code.NOT_FOUND,
				"server '0NOSUCHSERVER' not found");
	}

	@Test
	void whenConsoleWithoutServerIdThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		assertStatus(() -> drain(compute.streamConsoleOutput(console("", 10, 0))), Status.Code.INVALID_ARGUMENT,
				"server_id is required");
	}

	@Test
	void whenMaxBytesNegativeOrOver1GiBThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		assertStatus(() -> drain(compute.streamConsoleOutput(console(id, -1, 0))), Status.Code.INVALID_ARGUMENT,
				"max_bytes must be between 0 and 1073741824, was -1");
		assertStatus(() -> drain(compute.streamConsoleOutput(console(id, (1L << 30) + 1, 0))),
				Status.Code.INVALID_ARGUMENT, "max_bytes must be between 0 and 1073741824, was 1073741825");
	}

	@Test
	void whenChunkSizeNegativeOrOver1MiBThenInvalidArgument() throws IOException {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		assertStatus(() -> drain(compute.streamConsoleOutput(console(id, 10, -1))), Status.Code.INVALID_ARGUMENT,
				"chunk_size must be between 0 and 1048576, was -1");
		assertStatus(() -> drain(compute.streamConsoleOutput(console(id, 10, (1 << 20) + 1))),
				Status.Code.INVALID_ARGUMENT, "chunk_size must be between 0 and 1048576, was 1048577");
	}

	@Test
	void whenCallerReadsSlowlyThenServerSendsOnlyWhatTheTransportTakes() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		this.sentMessages.set(0);
		Chunks chunks = new Chunks(1);
		ComputeGrpc.newStub(this.channel).streamConsoleOutput(console(id, 64 * 1024, 1024), chunks);

		// the in-process transport is ready exactly while the client has asked for more than it got, so a server
		// that waits for isReady() has sent no more than the client asked for; one that ignores it sends all 64
		int requested = 1;
		for (int i = 1; i <= 64; i++) {
			assertThat(chunks.next().getOffset()).isEqualTo((i - 1) * 1024L);
			assertThat(this.sentMessages.get()).as("chunks sent with %d asked for", requested).isLessThanOrEqualTo(requested);
			Thread.sleep((i % 16 == 0) ? 20 : 0); // now and then a slow read, when an eager server would run ahead
			assertThat(this.sentMessages.get()).as("chunks sent with %d asked for", requested).isLessThanOrEqualTo(requested);
			chunks.call.request(1);
			requested++;
		}
		assertThat(chunks.end()).isSameAs(Chunks.COMPLETED);
		assertThat(this.sentMessages.get()).isEqualTo(64);
	}

	@Test
	void whenCallerCancelsThenNothingMoreIsSent() throws Exception {
		ComputeGrpc.ComputeBlockingStub compute = start(Duration.ofHours(1));
		String id = compute.createServer(create("web-1")).getId();
		this.sentMessages.set(0);
		Chunks chunks = new Chunks(2);
		// the largest stream allowed, 65,536 chunks of 16 KiB: cancelled after two
		ComputeGrpc.newStub(this.channel).streamConsoleOutput(console(id, 1L << 30, 0), chunks);
		chunks.next();
		chunks.next();

		chunks.call.cancel("caller lost interest", null);

		Object end = chunks.end();
		assertThat(end).isInstanceOf(StatusRuntimeException.class);
		assertThat(((StatusRuntimeException) end).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
		chunks.call.request(100); // asking after cancelling makes nothing move
		Thread.sleep(20);
		assertThat(this.sentMessages.get()).isEqualTo(2);
		assertThat(chunks.queue).isEmpty();
	}

	private static StreamConsoleOutputRequest console(String id, long maxBytes, int chunkSize) {
		return StreamConsoleOutputRequest.newBuilder()
			.setServerId(id)
			.setMaxBytes(maxBytes)
			.setChunkSize(chunkSize)
			.build();
	}

	private static List<ConsoleChunk> drain(Iterator<ConsoleChunk> stream) {
		List<ConsoleChunk> chunks = new ArrayList<>();
		stream.forEachRemaining(chunks::add);
		return chunks;
	}

	private static byte[] concat(List<ConsoleChunk> chunks) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (ConsoleChunk chunk : chunks) {
			chunk.getData().writeTo(bytes);
		}
		return bytes.toByteArray();
	}

	private static WatchServerEventsRequest watch(String id) {
		return WatchServerEventsRequest.newBuilder().setId(id).build();
	}

	private static void assertStatus(Runnable call, Status.Code code, String description) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::run).satisfies((ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(code);
			assertThat(ex.getStatus().getDescription()).isEqualTo(description);
		});
	}

	private static void awaitState(ComputeGrpc.ComputeBlockingStub compute, String id, ServerState state)
			throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (compute.getServer(GetServerRequest.newBuilder().setId(id).build()).getState() != state
				&& System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
	}

	private void awaitNoWatchers() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (this.store.watchers() > 0 && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		assertThat(this.store.watchers()).isZero();
	}

	/** Counts the messages the service sends, on every call. */
	private final class CountSent implements ServerInterceptor {

		@Override
		public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
				ServerCallHandler<Q, R> next) {
			return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {

				@Override
				public void sendMessage(R message) {
					ComputeGrpcServiceTests.this.sentMessages.incrementAndGet();
					super.sendMessage(message);
				}

			}, headers);
		}

	}

	/**
	 * Collects a StreamConsoleOutput stream with manual flow control: asks for {@code initial} chunks, then only for
	 * what the test asks through {@link #call}.
	 */
	private static final class Chunks implements ClientResponseObserver<StreamConsoleOutputRequest, ConsoleChunk> {

		static final Object COMPLETED = new Object();

		final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

		private final int initial;

		volatile ClientCallStreamObserver<StreamConsoleOutputRequest> call;

		Chunks(int initial) {
			this.initial = initial;
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<StreamConsoleOutputRequest> requestStream) {
			this.call = requestStream;
			requestStream.disableAutoRequestWithInitial(this.initial);
		}

		@Override
		public void onNext(ConsoleChunk chunk) {
			this.queue.add(chunk);
		}

		@Override
		public void onError(Throwable error) {
			this.queue.add(error);
		}

		@Override
		public void onCompleted() {
			this.queue.add(COMPLETED);
		}

		ConsoleChunk next() throws InterruptedException {
			Object next = this.queue.poll(5, TimeUnit.SECONDS);
			assertThat(next).as("next chunk").isInstanceOf(ConsoleChunk.class);
			return (ConsoleChunk) next;
		}

		Object end() throws InterruptedException {
			Object next = this.queue.poll(5, TimeUnit.SECONDS);
			assertThat(next).as("end of stream").isNotNull().isNotInstanceOf(ConsoleChunk.class);
			return next;
		}

	}

	/** Collects a WatchServerEvents stream: events, then the completion marker or the error. */
	private static final class Events implements ClientResponseObserver<WatchServerEventsRequest, ServerEvent> {

		static final Object COMPLETED = new Object();

		final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

		volatile ClientCallStreamObserver<WatchServerEventsRequest> call;

		@Override
		public void beforeStart(ClientCallStreamObserver<WatchServerEventsRequest> requestStream) {
			this.call = requestStream;
		}

		@Override
		public void onNext(ServerEvent event) {
			this.queue.add(event);
		}

		@Override
		public void onError(Throwable error) {
			this.queue.add(error);
		}

		@Override
		public void onCompleted() {
			this.queue.add(COMPLETED);
		}

		ServerEvent next() throws InterruptedException {
			Object next = this.queue.poll(5, TimeUnit.SECONDS);
			assertThat(next).as("next event").isInstanceOf(ServerEvent.class);
			return (ServerEvent) next;
		}

		Object end() throws InterruptedException {
			Object next = this.queue.poll(5, TimeUnit.SECONDS);
			assertThat(next).as("end of stream").isNotNull().isNotInstanceOf(ServerEvent.class);
			return next;
		}

	}

}
