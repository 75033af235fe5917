package dev.switchboard.registry.grpc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.testing.MutableClock;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.lease.HeldLeases;
import dev.switchboard.registry.lease.LeaseSweeper;
import dev.switchboard.registry.quota.ClientQuotas;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import dev.switchboard.registry.watch.WatchHub;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heartbeat streams at scale against an in-process registry on a real single-member Hazelcast: leases held and renewed
 * in the replica's memory ({@link HeldLeases}), a clock the test moves, and the sweep run by the test.
 */
class HeartbeatStreamTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final Duration CHECKPOINT = INTERVAL.multipliedBy(5);

	private static HazelcastInstance hazelcast;

	private static MutableClock clock;

	private static InstanceStore store;

	private static WatchHub hub;

	private static HeldLeases leases;

	private static LeaseSweeper sweeper;

	private Server server;

	private ExecutorService serverExecutor;

	private ManagedChannel channel;

	private RegistryGrpc.RegistryBlockingStub registry;

	private String group;

	@BeforeAll
	static void startHazelcast() {
		hazelcast = TestHazelcast.start();
		// the registry's records keep wall-clock registration times; leases follow this clock
		clock = new MutableClock(Instant.now());
		store = new InstanceStore(hazelcast, clock);
		hub = new WatchHub(100_000);
		hub.load(store.subscribe(hub));
		leases = new HeldLeases(store, clock, TTL, CHECKPOINT);
		sweeper = new LeaseSweeper(store, leases, TTL, CHECKPOINT, new SimpleMeterRegistry());
	}

	@AfterAll
	static void stopHazelcast() {
		hazelcast.shutdown();
	}

	@BeforeEach
	void startServer() throws Exception {
		String name = InProcessServerBuilder.generateName();
		RegistryGrpcService service = new RegistryGrpcService(store, hub, leases, new ClientQuotas(100_000, 1 << 30),
				INTERVAL, TTL, ServiceExceptionHandler.of("registry"), new SimpleMeterRegistry());
		// several server threads, so that streams are served concurrently as on a real server, but few: a stream that
		// held one while waiting on the cluster would show
		this.serverExecutor = Executors.newFixedThreadPool(4);
		this.server = InProcessServerBuilder.forName(name).executor(this.serverExecutor).addService(service).build().start();
		this.channel = InProcessChannelBuilder.forName(name).build();
		this.registry = RegistryGrpc.newBlockingStub(this.channel);
		this.group = "g" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void stopServer() {
		this.channel.shutdownNow();
		this.server.shutdownNow();
		this.serverExecutor.shutdownNow();
	}

	@Test
	void whenManyStreamsHeartbeatAtOnceThenTheInstanceCountStaysExactAndOnlySilentOnesAreEvicted() throws Exception {
		int instances = 200;
		ExecutorService callers = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> registering = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				String name = "i" + i;
				registering.add(callers.submit(() -> this.registry.register(request(name))));
			}
			for (Future<?> registration : registering) {
				registration.get(30, TimeUnit.SECONDS);
			}
			List<Beats> streams = new ArrayList<>();
			for (int i = 0; i < instances; i++) {
				streams.add(Beats.open(this.channel, 1_000, null, i));
			}
			await().untilAsserted(() -> assertThat(registered()).isEqualTo(instances));
			for (int round = 1; round <= 5; round++) {
				clock.advance(INTERVAL);
				beatAll(callers, streams, round, (i) -> true);
				// what the registry's scheduler does every quarter interval
				assertThat(evictExpired()).isEmpty();
				assertThat(registered()).isEqualTo(instances);
			}
			// the odd ones fall silent
			clock.advance(INTERVAL);
			beatAll(callers, streams, 6, (i) -> i % 2 == 0);
			assertThat(evictExpired()).isEmpty();
			clock.advance(TTL);
			assertThat(evictExpired()).extracting(InstanceRecord::instanceId)
				.containsExactlyInAnyOrderElementsOf(
						streams.stream().filter((beats) -> beats.index % 2 == 1).map((beats) -> id(beats.name())).toList());
			await().untilAsserted(() -> assertThat(registered()).isEqualTo(instances / 2));
			assertThat(streams).allSatisfy((beats) -> assertThat(beats.error).isEmpty());
		}
		finally {
			callers.shutdownNow();
		}
	}

	@Test
	void whenAHeartbeatChangesNothingThenWatchersGetNoEvent() throws Exception {
		this.registry.register(request("a"));
		BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
		Context.CancellableContext watch = Context.current().withCancellation();
		watch.run(() -> RegistryGrpc.newStub(this.channel)
			.watch(WatchRequest.newBuilder().addGroups(this.group).build(), new io.grpc.stub.StreamObserver<>() {

				@Override
				public void onNext(WatchEvent event) {
					events.add(event);
				}

				@Override
				public void onError(Throwable t) {
				}

				@Override
				public void onCompleted() {
				}
			}));
		try {
			assertThat(events.poll(5, TimeUnit.SECONDS).hasSnapshot()).isTrue();
			Beats beats = Beats.open(this.channel, 1_000, "a", 0);
			beats.send(heartbeat("a", InstanceStatus.UP));
			assertThat(beats.answers.poll(5, TimeUnit.SECONDS).getStatus()).isEqualTo(InstanceStatus.UP);
			// STARTING to UP is a change, and the one event so far
			WatchEvent up = events.poll(5, TimeUnit.SECONDS);
			assertThat(up.getUpdated().getInstance().getStatus()).isEqualTo(InstanceStatus.UP);
			// past a checkpoint, swept as the registry does: writing held leases to the cluster makes no event either
			long firstBeat = clock.millis();
			for (int i = 0; i < CHECKPOINT.toMillis() / 100 + 10; i++) {
				clock.advance(Duration.ofMillis(100));
				beats.send(heartbeat("a", InstanceStatus.UP));
				assertThat(beats.answers.poll(5, TimeUnit.SECONDS)).isNotNull();
				assertThat(evictExpired()).isEmpty();
			}
			assertThat(store.leaseRenewals(java.util.Set.of(id("a"))).get(id("a"))).as("checkpointed")
				.isGreaterThanOrEqualTo(firstBeat + CHECKPOINT.toMillis());
			// a real change made after the renewals is the very next event: none of them made one
			this.registry.setOutOfService(
					SetOutOfServiceRequest.newBuilder().setInstanceId(id("a")).setOutOfService(true).build());
			WatchEvent next = events.poll(5, TimeUnit.SECONDS);
			assertThat(next.getUpdated().getInstance().getStatus()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
			assertThat(next.getRevision()).isEqualTo(up.getRevision() + 1);
			assertThat(beats.error).isEmpty();
		}
		finally {
			watch.cancel(null);
		}
	}

	@Test
	void whenTheClientDoesNotReadAnswersThenItsStreamIsThrottledNotBrokenAndItsLeaseStaysRenewed() throws Exception {
		this.registry.register(request("a"));
		// the client reads no answer until it asks for them
		Beats beats = Beats.open(this.channel, 0, "a", 0);
		for (int i = 0; i < 50; i++) {
			clock.advance(Duration.ofMillis(100));
			beats.send(heartbeat("a", InstanceStatus.UP));
		}
		clock.advance(Duration.ofMillis(100));
		beats.send(heartbeat("a", InstanceStatus.DOWN));
		// every beat was taken and renewed the lease, though no answer was read
		await().untilAsserted(() -> assertThat(store.find(id("a")).orElseThrow().reported())
			.isEqualTo(InstanceStatus.DOWN));
		assertThat(leases.lastBeat(id("a"))).hasValue(clock.millis());
		beats.call.request(1_000);
		// the answers it missed come as the latest one alone, not one per beat
		assertThat(beats.answers.poll(5, TimeUnit.SECONDS).getStatus()).isEqualTo(InstanceStatus.DOWN);
		beats.send(heartbeat("a", InstanceStatus.UP));
		assertThat(beats.answers.poll(5, TimeUnit.SECONDS).getStatus()).isEqualTo(InstanceStatus.UP);
		assertThat(beats.answers).isEmpty();
		assertThat(beats.error).isEmpty();
		assertThat(store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenTheClusterIsSlowToTakeABeatThenTheLeaseIsRenewedBeforeTheClusterAnswers() throws Exception {
		this.registry.register(request("a"));
		await().until(() -> hub.find(id("a")) != null);
		// the instance's partition is busy, as one being promoted after a member's loss is
		PartitionBlocker.reset();
		hazelcast.<String, InstanceRecord>getMap("switchboard.instances").submitToKey(id("a"), new PartitionBlocker());
		try {
			assertThat(PartitionBlocker.started.await(10, TimeUnit.SECONDS)).isTrue();
			// a stream's first beat goes to the cluster, which cannot take it yet
			Beats beats = Beats.open(this.channel, 1_000, "a", 0);
			beats.send(heartbeat("a", InstanceStatus.UP));
			await().until(() -> leases.lastBeat(id("a")).isPresent());
			assertThat(beats.answers).isEmpty();
		}
		finally {
			PartitionBlocker.release.countDown();
		}
		assertThat(leases.lastBeat(id("a"))).hasValue(clock.millis());
	}

	@Test
	void whenTheClusterCannotTakeFirstBeatsYetThenTheyHoldNoServerThreadAndOtherStreamsGoOn() throws Exception {
		// as many streams waiting on the cluster as the server has threads, as when thousands move here at once
		int waiting = 4;
		IMap<String, InstanceRecord> instances = hazelcast.getMap("switchboard.instances");
		List<Beats> held = new ArrayList<>();
		this.registry.register(request("free"));
		for (int i = 0; i < waiting; i++) {
			this.registry.register(request("held" + i));
			instances.lock(id("held" + i));
		}
		try {
			for (int i = 0; i < waiting; i++) {
				Beats beats = Beats.open(this.channel, 1_000, "held" + i, i);
				beats.send(heartbeat("held" + i, InstanceStatus.UP));
				held.add(beats);
			}
			Beats free = Beats.open(this.channel, 1_000, "free", 0);
			free.send(heartbeat("free", InstanceStatus.UP));
			assertThat(free.answers.poll(10, TimeUnit.SECONDS)).as("answer to a stream no write blocks").isNotNull();
			assertThat(held).allSatisfy((beats) -> assertThat(beats.answers).isEmpty());
		}
		finally {
			for (int i = 0; i < waiting; i++) {
				instances.forceUnlock(id("held" + i));
			}
		}
		// once the cluster takes them, each waiting stream is answered and goes on
		for (Beats beats : held) {
			assertThat(beats.answers.poll(10, TimeUnit.SECONDS)).isNotNull();
			beats.send(heartbeat(beats.name(), InstanceStatus.UP));
			assertThat(beats.answers.poll(10, TimeUnit.SECONDS)).isNotNull();
			assertThat(beats.error).isEmpty();
		}
	}

	/** Holds the partition thread of the entry it runs on until released; one at a time, in this JVM. */
	record PartitionBlocker() implements EntryProcessor<String, InstanceRecord, Boolean> {

		static volatile CountDownLatch started;

		static volatile CountDownLatch release;

		static void reset() {
			started = new CountDownLatch(1);
			release = new CountDownLatch(1);
		}

		@Override
		public Boolean process(Map.Entry<String, InstanceRecord> entry) {
			started.countDown();
			try {
				return release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		@Override
		public EntryProcessor<String, InstanceRecord, Boolean> getBackupProcessor() {
			return null;
		}

	}

	/** Sends round {@code round} of heartbeats on the chosen streams, each stream from one task, and awaits answers. */
	private void beatAll(ExecutorService callers, List<Beats> streams, int round,
			java.util.function.IntPredicate chosen) throws Exception {
		List<Future<?>> sending = new ArrayList<>();
		for (Beats beats : streams) {
			if (chosen.test(beats.index)) {
				sending.add(callers.submit(() -> beats.send(heartbeat(beats.name(), InstanceStatus.UP))));
			}
		}
		for (Future<?> send : sending) {
			send.get(30, TimeUnit.SECONDS);
		}
		for (Beats beats : streams) {
			if (chosen.test(beats.index)) {
				HeartbeatResponse answer = beats.answers.poll(30, TimeUnit.SECONDS);
				assertThat(answer).as("answer to %s in round %d", beats.name(), round).isNotNull();
				assertThat(answer.getStatus()).isEqualTo(InstanceStatus.UP);
			}
		}
	}

	private List<InstanceRecord> evictExpired() {
		return sweeper.sweep().stream().filter((record) -> record.group().equals(this.group)).toList();
	}

	private int registered() {
		return this.registry.listGroups(ListGroupsRequest.getDefaultInstance())
			.getGroupsList()
			.stream()
			.filter((summary) -> summary.getName().equals(this.group))
			.mapToInt(GroupSummary::getInstances)
			.sum();
	}

	private RegisterRequest request(String name) {
		return RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(id(name))
			.setHost("127.0.0.1")
			.setPort(7000)
			.addServices("test.v1.Service" + this.group)
			.build();
	}

	private HeartbeatRequest heartbeat(String name, InstanceStatus status) {
		return HeartbeatRequest.newBuilder().setGroup(this.group).setInstanceId(id(name)).setStatus(status).build();
	}

	private String id(String name) {
		return this.group + "-" + name;
	}

	/** One client heartbeat stream and what it received. */
	private static final class Beats implements ClientResponseObserver<HeartbeatRequest, HeartbeatResponse> {

		final BlockingQueue<HeartbeatResponse> answers = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> error = new LinkedBlockingQueue<>();

		final int index;

		private final String name;

		private final int initialRequests;

		volatile ClientCallStreamObserver<HeartbeatRequest> call;

		private Beats(String name, int index, int initialRequests) {
			this.name = name;
			this.index = index;
			this.initialRequests = initialRequests;
		}

		/** Opens a stream for instance {@code name}, or {@code i<index>} when it is {@code null}. */
		static Beats open(ManagedChannel channel, int initialRequests, String name, int index) {
			Beats beats = new Beats(name, index, initialRequests);
			RegistryGrpc.newStub(channel).heartbeat(beats);
			return beats;
		}

		String name() {
			return (this.name != null) ? this.name : "i" + this.index;
		}

		synchronized void send(HeartbeatRequest request) {
			this.call.onNext(request);
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<HeartbeatRequest> requests) {
			this.call = requests;
			requests.disableAutoRequestWithInitial(this.initialRequests);
		}

		@Override
		public void onNext(HeartbeatResponse value) {
			this.answers.add(value);
		}

		@Override
		public void onError(Throwable t) {
			this.error.add(t);
		}

		@Override
		public void onCompleted() {
		}

	}

}
