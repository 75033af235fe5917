package dev.switchboard.registry.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.testing.MutableClock;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.grpc.RegistryGrpcService;
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
import dev.switchboard.registry.watch.WatchHub;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A registry replica lost while it holds heartbeat streams, on a real three-member Hazelcast cluster with one
 * in-process gRPC registry per member: its member is terminated without leaving (as {@code kill -9} does), its
 * streams move to another replica as a component's heartbeat session moves them, and no instance is evicted, though
 * the instances' records and leases that lived on the lost member come back from backups older than the TTL allows.
 * Leases follow a clock the test moves; leases are swept (and held ones checkpointed) by the test, as each replica's scheduler
 * would.
 */
class ReplicaFailoverTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final Duration CHECKPOINT = INTERVAL.multipliedBy(5);

	private static final int INSTANCES = 120;

	private final MutableClock clock = new MutableClock(Instant.now());

	private final List<Replica> replicas = new ArrayList<>();

	private final String group = "g" + UUID.randomUUID().toString().substring(0, 8);

	@BeforeEach
	void startReplicas() throws Exception {
		for (HazelcastInstance member : TestHazelcast.startCluster(3)) {
			this.replicas.add(new Replica(member, this.clock));
		}
	}

	@AfterEach
	void stopReplicas() {
		this.replicas.forEach(Replica::stop);
	}

	@Test
	void whenAReplicaIsKilledThenItsStreamsMoveToAnotherAndNoInstanceIsEvicted() throws Exception {
		Replica lost = this.replicas.get(2);
		Replica taker = this.replicas.get(0);
		Replica other = this.replicas.get(1);
		RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(lost.channel);
		for (int i = 0; i < INSTANCES; i++) {
			registry.register(RegisterRequest.newBuilder()
				.setGroup(this.group)
				.setInstanceId(id(i))
				.setHost("127.0.0.1")
				.setPort(7000 + i)
				.addServices("test.v1.Service" + this.group)
				.build());
		}
		Member lostMember = lost.hazelcast.getCluster().getLocalMember();
		long ownedByLost = 0;
		for (int i = 0; i < INSTANCES; i++) {
			if (lost.hazelcast.getPartitionService().getPartition(id(i)).getOwner().equals(lostMember)) {
				ownedByLost++;
			}
		}
		// the case under test: records and leases the lost member owned come back from its backups
		assertThat(ownedByLost).isPositive();

		List<Stream> streams = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			streams.add(Stream.open(lost.channel, i));
		}
		for (int round = 0; round < 3; round++) {
			this.clock.advance(INTERVAL);
			beat(streams, (i) -> true);
			sweep(this.replicas);
		}
		// the last round's renewals die with the lost replica, which judged its leases itself
		this.clock.advance(INTERVAL);
		beat(streams, (i) -> true);

		lost.kill();
		this.replicas.remove(lost);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(taker.hazelcast.getCluster().getMembers()).hasSize(2);
			assertThat(other.hazelcast.getCluster().getMembers()).hasSize(2);
			assertThat(streams).allSatisfy((stream) -> assertThat(stream.error).isNotEmpty());
		});
		assertThat(streams).allSatisfy((stream) -> assertThat(Status.fromThrowable(stream.error.peek()).getCode())
			.isEqualTo(Status.Code.UNAVAILABLE));
		// the survivors' next sweeps, at once: they find the member gone
		assertThat(sweep(this.replicas)).isEmpty();

		// the streams are still moving: the renewals the cluster has are older than the TTL by now
		this.clock.advance(Duration.ofMillis(2_500));
		assertThat(sweep(this.replicas)).isEmpty();
		List<Stream> moved = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			moved.add(Stream.open(taker.channel, i));
		}
		beat(moved, (i) -> true);
		assertThat(sweep(this.replicas)).isEmpty();
		// well past the grace, leases stand on the moved streams alone, now their holder
		for (int round = 0; round < 5; round++) {
			this.clock.advance(INTERVAL);
			beat(moved, (i) -> true);
			assertThat(sweep(this.replicas)).isEmpty();
		}
		for (Replica survivor : this.replicas) {
			assertThat(registered(survivor)).isEqualTo(INSTANCES);
		}
		for (int i = 0; i < INSTANCES; i++) {
			assertThat(taker.store.find(id(i))).hasValueSatisfying(
					(record) -> assertThat(record.status()).isEqualTo(InstanceStatus.UP));
		}
		assertThat(moved).allSatisfy((stream) -> assertThat(stream.error).isEmpty());

		// and a silent instance is still evicted within the TTL plus one interval
		this.clock.advance(INTERVAL);
		beat(moved, (i) -> i % 2 == 0);
		assertThat(sweep(this.replicas)).isEmpty();
		this.clock.advance(TTL);
		assertThat(sweep(this.replicas)).extracting(InstanceRecord::instanceId)
			.containsExactlyInAnyOrderElementsOf(
					moved.stream().filter((stream) -> stream.index % 2 == 1).map((stream) -> id(stream.index)).toList());
	}

	/** Sends a heartbeat on each chosen stream and waits for every answer, each UP. */
	private void beat(List<Stream> streams, IntPredicate chosen) throws InterruptedException {
		for (Stream stream : streams) {
			if (chosen.test(stream.index)) {
				stream.send(HeartbeatRequest.newBuilder()
					.setGroup(this.group)
					.setInstanceId(id(stream.index))
					.setStatus(InstanceStatus.UP)
					.build());
			}
		}
		for (Stream stream : streams) {
			if (chosen.test(stream.index)) {
				HeartbeatResponse answer = stream.answers.poll(30, TimeUnit.SECONDS);
				assertThat(answer).as("answer to %s", id(stream.index)).isNotNull();
				assertThat(answer.getStatus()).isEqualTo(InstanceStatus.UP);
			}
		}
	}

	private List<InstanceRecord> sweep(List<Replica> replicas) {
		List<InstanceRecord> evicted = new ArrayList<>();
		for (Replica replica : replicas) {
			// what each replica's scheduler does every quarter interval: its held leases, then its partitions
			replica.sweeper.sweep()
				.stream()
				.filter((record) -> record.group().equals(this.group))
				.forEach(evicted::add);
		}
		return evicted;
	}

	private int registered(Replica replica) {
		return RegistryGrpc.newBlockingStub(replica.channel)
			.listGroups(ListGroupsRequest.getDefaultInstance())
			.getGroupsList()
			.stream()
			.filter((summary) -> summary.getName().equals(this.group))
			.mapToInt(GroupSummary::getInstances)
			.sum();
	}

	private String id(int index) {
		return this.group + "-i" + index;
	}

	/** One registry replica: a cluster member with its store, view, held leases, sweeper and in-process gRPC server. */
	private static final class Replica {

		final HazelcastInstance hazelcast;

		final InstanceStore store;

		final LeaseSweeper sweeper;

		final ManagedChannel channel;

		private final ExecutorService executor = Executors.newFixedThreadPool(4);

		private final Server server;

		Replica(HazelcastInstance hazelcast, MutableClock clock) throws Exception {
			this.hazelcast = hazelcast;
			this.store = new InstanceStore(hazelcast, clock);
			WatchHub hub = new WatchHub(100_000);
			hub.load(this.store.subscribe(hub));
			HeldLeases leases = new HeldLeases(this.store, clock, TTL, CHECKPOINT);
			this.sweeper = new LeaseSweeper(this.store, leases, TTL, CHECKPOINT, new SimpleMeterRegistry());
			RegistryGrpcService service = new RegistryGrpcService(this.store, hub, leases,
					new ClientQuotas(100_000, 1 << 30), INTERVAL, TTL, ServiceExceptionHandler.of("registry"),
					new SimpleMeterRegistry());
			String name = InProcessServerBuilder.generateName();
			this.server = InProcessServerBuilder.forName(name).executor(this.executor).addService(service).build().start();
			this.channel = InProcessChannelBuilder.forName(name).build();
		}

		/** As {@code kill -9}: its streams break, and its member vanishes without handing its partitions over. */
		void kill() {
			// the member first, so this replica cannot mark its broken streams' instances DOWN, as a killed one cannot
			this.hazelcast.getLifecycleService().terminate();
			this.server.shutdownNow();
		}

		void stop() {
			this.channel.shutdownNow();
			this.server.shutdownNow();
			this.executor.shutdownNow();
			this.hazelcast.getLifecycleService().terminate();
		}

	}

	/** One instance's heartbeat stream and what it received. */
	private static final class Stream implements ClientResponseObserver<HeartbeatRequest, HeartbeatResponse> {

		final BlockingQueue<HeartbeatResponse> answers = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> error = new LinkedBlockingQueue<>();

		final int index;

		private volatile ClientCallStreamObserver<HeartbeatRequest> call;

		private Stream(int index) {
			this.index = index;
		}

		static Stream open(ManagedChannel channel, int index) {
			Stream stream = new Stream(index);
			RegistryGrpc.newStub(channel).heartbeat(stream);
			return stream;
		}

		synchronized void send(HeartbeatRequest request) {
			this.call.onNext(request);
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<HeartbeatRequest> requests) {
			this.call = requests;
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
