package dev.switchboard.client.registry;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.connection.StaticAddressNameResolverProvider;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceUpdated;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.Snapshot;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.inprocess.InProcessSocketAddress;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher against an in-process registry that sends the events each test scripts. */
class RegistryWatcherTests {

	private final BlockingQueue<List<WatchEvent>> scripts = new LinkedBlockingQueue<>();

	private final BlockingQueue<RegistryView> views = new LinkedBlockingQueue<>();

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private Server server;

	private Server otherServer;

	private ManagedChannel channel;

	private RegistryWatcher watcher;

	@AfterEach
	void stop() {
		if (this.watcher != null) {
			this.watcher.close();
		}
		this.channel.shutdownNow();
		this.server.shutdownNow();
		if (this.otherServer != null) {
			this.otherServer.shutdownNow();
		}
		this.scheduler.shutdownNow();
	}

	@Test
	void whenSnapshotComesInPartsThenOneViewOnceTheLastPartArrived() throws Exception {
		this.scripts.add(List.of(part(1, 0, true, "a", "b"), part(2, 1, true, "c"), part(3, 2, false, "d"),
				updated(4, "e")));
		start();

		RegistryView first = this.views.poll(5, TimeUnit.SECONDS);
		assertThat(first.instances()).containsOnlyKeys("a", "b", "c", "d");
		assertThat(first.revision()).isEqualTo(3);
		assertThat(this.views.poll(5, TimeUnit.SECONDS).instances()).containsOnlyKeys("a", "b", "c", "d", "e");
	}

	@Test
	void whenSnapshotIsCutShortByANewOneThenOnlyTheNewOneCounts() throws Exception {
		this.scripts.add(List.of(part(1, 0, false, "old"), part(2, 0, true, "a"), part(3, 0, true, "b"),
				part(4, 1, false, "c")));
		start();

		assertThat(this.views.poll(5, TimeUnit.SECONDS).instances()).containsOnlyKeys("old");
		assertThat(this.views.poll(5, TimeUnit.SECONDS).instances()).containsOnlyKeys("b", "c");
	}

	@Test
	void whenChangeArrivesInTheMiddleOfASnapshotThenWatcherResubscribesWithoutPublishingIt() throws Exception {
		this.scripts.add(List.of(part(1, 0, true, "a"), updated(2, "x")));
		this.scripts.add(List.of(part(1, 0, false, "fresh")));
		start();

		RegistryView view = this.views.poll(5, TimeUnit.SECONDS);
		assertThat(view.instances()).containsOnlyKeys("fresh");
		assertThat(this.scripts).isEmpty();
	}

	@Test
	void whenTheReplicaWatchedDiesThenTheWatchResumesOnTheOtherWithItsSnapshot() throws Exception {
		String a = InProcessServerBuilder.generateName();
		String b = InProcessServerBuilder.generateName();
		this.server = snapshotServer(a, "seen-on-a");
		this.otherServer = snapshotServer(b, "seen-on-b");
		this.channel = overReplicas(a, b);
		this.watcher = new RegistryWatcher(new RegistryChannels(List.of(a, b), (target) -> this.channel),
				WatchRequest.getDefaultInstance(),
				new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new SplittableRandom(1)), this.scheduler);
		this.watcher.addListener(this.views::add);
		this.watcher.start();

		RegistryView first = this.views.poll(5, TimeUnit.SECONDS);
		boolean onA = first.instances().containsKey("seen-on-a");
		(onA ? this.server : this.otherServer).shutdownNow();

		RegistryView resumed = this.views.poll(5, TimeUnit.SECONDS);
		assertThat(resumed.instances()).containsOnlyKeys(onA ? "seen-on-b" : "seen-on-a");
		assertThat(this.watcher.view()).isSameAs(resumed);
	}

	/** A replica whose Watch sends a snapshot of one instance and then stays open. */
	private static Server snapshotServer(String name, String instanceId) throws Exception {
		return InProcessServerBuilder.forName(name).directExecutor().addService(new RegistryGrpc.RegistryImplBase() {

			@Override
			public void watch(WatchRequest request, StreamObserver<WatchEvent> responses) {
				responses.onNext(part(1, 0, false, instanceId));
			}

		}).build().start();
	}

	/** One channel over in-process replicas, as {@link RegistryChannels} makes it over real ones. */
	@SuppressWarnings("deprecation") // gRPC offers no other per-channel resolver; production loads it by its scheme
	static ManagedChannel overReplicas(String... names) {
		return InProcessChannelBuilder.forTarget(StaticAddressNameResolverProvider.target(List.of(names)))
			.nameResolverFactory(new StaticAddressNameResolverProvider(InProcessSocketAddress.class,
					(name) -> List.of(new InProcessSocketAddress(name))))
			.directExecutor()
			.build();
	}

	private void start() throws Exception {
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name).directExecutor().addService(new RegistryGrpc.RegistryImplBase() {

			@Override
			public void watch(WatchRequest request, StreamObserver<WatchEvent> responses) {
				List<WatchEvent> script = RegistryWatcherTests.this.scripts.poll();
				if (script != null) {
					script.forEach(responses::onNext);
				}
			}

		}).build().start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.watcher = new RegistryWatcher(new RegistryChannels(List.of("in-process"), (target) -> this.channel),
				WatchRequest.getDefaultInstance(),
				new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new SplittableRandom(1)), this.scheduler);
		this.watcher.addListener(this.views::add);
		this.watcher.start();
	}

	private static WatchEvent part(long revision, int part, boolean more, String... ids) {
		Snapshot.Builder snapshot = Snapshot.newBuilder().setPart(part).setMore(more);
		for (String id : ids) {
			snapshot.addInstances(instance(id));
		}
		return WatchEvent.newBuilder().setRevision(revision).setSnapshot(snapshot).build();
	}

	private static WatchEvent updated(long revision, String id) {
		return WatchEvent.newBuilder()
			.setRevision(revision)
			.setUpdated(InstanceUpdated.newBuilder().setInstance(instance(id)))
			.build();
	}

	private static Instance instance(String id) {
		return Instance.newBuilder().setGroup("g").setInstanceId(id).build();
	}

}
