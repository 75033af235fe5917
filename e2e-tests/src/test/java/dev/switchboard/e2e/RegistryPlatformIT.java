package dev.switchboard.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Group;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import dev.switchboard.launcher.topology.PlatformClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry as an operator runs it: two registry replicas forming one Hazelcast cluster, and three sample
 * replicas (two compute, one volume) registering with both, all real jars as processes on 127.0.0.1, started once.
 * The tests run in order because each one stops a process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryPlatformIT {

	private static final Duration START = Duration.ofSeconds(90);

	private static final String COMPUTE_SERVICE = "switchboard.sample.compute.v1.Compute";

	private static final String VOLUME_SERVICE = "switchboard.sample.volume.v1.Volume";

	/** Registry mechanics only: authorization is covered by the security suite. */
	private static final String NO_AUTH = "--switchboard.registry.auth.enabled=false";

	/** Registration mechanics only: identity and authorization are the security suite's. */
	private static final String NO_IDENTITY = "--switchboard.identity.enabled=false";

	private static final List<PlatformProcess> processes = new ArrayList<>();

	private static PlatformProcess registryA;

	private static PlatformProcess registryB;

	private static PlatformProcess compute1;

	private static PlatformProcess compute2;

	private static PlatformProcess volume1;

	private static int grpcA;

	private static int grpcB;

	private static ManagedChannel channelA;

	private static ManagedChannel channelB;

	private static WatchLog watch;

	/** The replicas' join secret, in their environment as the launcher passes it. */
	private static final Map<String, String> CLUSTER_SECRET = Map.of("SWITCHBOARD_REGISTRY_CLUSTER_SECRET",
			"cluster-" + UUID.randomUUID());

	@BeforeAll
	static void startPlatform() {
		grpcA = PlatformProcess.freePort();
		grpcB = PlatformProcess.freePort();
		int clusterA = PlatformProcess.freePort();
		int clusterB = PlatformProcess.freePort();
		String members = "127.0.0.1:" + clusterA + ",127.0.0.1:" + clusterB;
		registryA = start(PlatformProcess.start("registry-a", PlatformService.REGISTRY,
				List.of("--spring.grpc.server.port=" + grpcA, "--switchboard.registry.cluster.port=" + clusterA,
						"--switchboard.registry.cluster.members=" + members, NO_AUTH, NO_IDENTITY), CLUSTER_SECRET));
		registryA.awaitHealthy(START);
		registryB = start(PlatformProcess.start("registry-b", PlatformService.REGISTRY,
				List.of("--spring.grpc.server.port=" + grpcB, "--switchboard.registry.cluster.port=" + clusterB,
						"--switchboard.registry.cluster.members=" + members, NO_AUTH, NO_IDENTITY), CLUSTER_SECRET));
		compute1 = start(sample("compute-1", "compute"));
		compute2 = start(sample("compute-2", "compute"));
		volume1 = start(sample("volume-1", "volume"));
		Stream.of(registryB, compute1, compute2, volume1).forEach((process) -> process.awaitHealthy(START));
		channelA = ManagedChannelBuilder.forAddress("127.0.0.1", grpcA).usePlaintext().build();
		channelB = ManagedChannelBuilder.forAddress("127.0.0.1", grpcB).usePlaintext().build();
		watch = new WatchLog();
		watch.context().run(() -> RegistryGrpc.newStub(channelA).watch(WatchRequest.getDefaultInstance(), watch));
	}

	@AfterAll
	static void stopPlatform() throws Exception {
		if (watch != null) {
			watch.close();
		}
		for (ManagedChannel channel : new ManagedChannel[] { channelA, channelB }) {
			if (channel != null) {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
		processes.forEach(PlatformProcess::close);
	}

	@Test
	@Order(1)
	void everyReplicaIsRegisteredUpWithTheServicesItServesAndVisibleOnBothRegistries() {
		for (ManagedChannel channel : List.of(channelA, channelB)) {
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				Group compute = group(channel, "compute");
				assertThat(compute.getInstancesList()).extracting(Instance::getInstanceId)
					.containsExactly("compute-1", "compute-2");
				assertThat(compute.getInstancesList()).allSatisfy((instance) -> {
					assertThat(instance.getStatus()).isEqualTo(InstanceStatus.UP);
					assertThat(instance.getServicesList()).containsExactly(COMPUTE_SERVICE);
					assertThat(instance.getPort()).isPositive();
					assertThat(instance.getManagementUrl()).startsWith("http://127.0.0.1:");
				});
				assertThat(compute.getInstances(0).getPort()).isNotEqualTo(compute.getInstances(1).getPort());
				Group volume = group(channel, "volume");
				assertThat(volume.getInstancesList()).singleElement()
					.satisfies((instance) -> assertThat(instance.getServicesList()).containsExactly(VOLUME_SERVICE));
			});
		}
	}

	@Test
	@Order(2)
	void watchDeliversEachStatusChangeMadeOnTheOtherReplica() {
		int before = watch.size();
		outOfService(channelB, "compute-1", true);
		WatchLog.Received forced = watch.await(before, (event) -> updated(event, "compute-1",
				InstanceStatus.OUT_OF_SERVICE), Duration.ofSeconds(10));
		outOfService(channelB, "compute-1", false);
		WatchLog.Received cleared = watch.await(before, (event) -> updated(event, "compute-1", InstanceStatus.UP),
				Duration.ofSeconds(10));
		assertThat(cleared.event().getRevision()).isGreaterThan(forced.event().getRevision());
	}

	@Test
	@Order(3)
	void gracefulStopDrainsAndDeregistersBeforeTheProcessExits() throws Exception {
		int before = watch.size();
		compute2.terminate();
		WatchLog.Received draining = watch.await(before,
				(event) -> updated(event, "compute-2", InstanceStatus.OUT_OF_SERVICE), Duration.ofSeconds(10));
		WatchLog.Received removed = watch.await(before, (event) -> removed(event, "compute-2", RemovalReason.DEREGISTERED),
				Duration.ofSeconds(20));
		Instant exited = compute2.awaitExit(Duration.ofSeconds(30));
		assertThat(draining.at()).isBefore(removed.at());
		assertThat(removed.at()).isBefore(exited);
		assertThat(compute2.log()).contains("Drained compute-2");
	}

	@Test
	@Order(4)
	void killedReplicaIsMarkedDownAtOnceThenEvicted() {
		int before = watch.size();
		Instant killed = Instant.now();
		volume1.kill();
		WatchLog.Received down = watch.await(before, (event) -> updated(event, "volume-1", InstanceStatus.DOWN),
				Duration.ofSeconds(10));
		WatchLog.Received evicted = watch.await(before, (event) -> removed(event, "volume-1", RemovalReason.EVICTED),
				Duration.ofSeconds(15));
		// the default lease: 1 s heartbeats, 3 s TTL; eviction is due within TTL + one interval of the last heartbeat
		assertThat(Duration.between(killed, down.at())).isLessThan(Duration.ofSeconds(3));
		assertThat(Duration.between(killed, evicted.at())).isLessThan(Duration.ofSeconds(6));
	}

	@Test
	@Order(5)
	void killingOneRegistryReplicaLosesNoRegistrationAndHeartbeatsMoveToTheOther() {
		watch.close();
		registryA.kill();
		// well past the survivors' grace after a replica's loss (two TTLs) and one more TTL: had the heartbeat not
		// moved to registry B, compute-1 would be evicted by now
		await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Group compute = group(channelB, "compute");
			assertThat(compute.getInstancesList()).singleElement().satisfies((instance) -> {
				assertThat(instance.getInstanceId()).isEqualTo("compute-1");
				assertThat(instance.getStatus()).isEqualTo(InstanceStatus.UP);
			});
		});
		assertThat(compute1.isAlive()).isTrue();
	}

	private static PlatformProcess sample(String instanceId, String group) {
		return PlatformProcess.start(instanceId, PlatformService.valueOf(group.toUpperCase(Locale.ROOT)),
				List.of("--spring.grpc.server.port=0", "--switchboard.component.instance-id=" + instanceId,
						"--switchboard.component.host=127.0.0.1", NO_IDENTITY,
						PlatformClient.registryArgument("127.0.0.1:" + grpcA + ",127.0.0.1:" + grpcB)));
	}

	private static PlatformProcess start(PlatformProcess process) {
		processes.add(process);
		return process;
	}

	private static Group group(ManagedChannel channel, String name) {
		try {
			return RegistryGrpc.newBlockingStub(channel)
				.withDeadlineAfter(5, TimeUnit.SECONDS)
				.getGroup(GetGroupRequest.newBuilder().setName(name).build());
		}
		catch (StatusRuntimeException ex) {
			throw new AssertionError("GetGroup " + name + ": " + ex.getStatus(), ex);
		}
	}

	private static void outOfService(ManagedChannel channel, String instanceId, boolean outOfService) {
		RegistryGrpc.newBlockingStub(channel)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.setOutOfService(SetOutOfServiceRequest.newBuilder()
				.setInstanceId(instanceId)
				.setOutOfService(outOfService)
				.build());
	}

	private static boolean updated(WatchEvent event, String instanceId, InstanceStatus status) {
		return event.hasUpdated() && event.getUpdated().getInstance().getInstanceId().equals(instanceId)
				&& event.getUpdated().getInstance().getStatus() == status;
	}

	private static boolean removed(WatchEvent event, String instanceId, RemovalReason reason) {
		return event.hasRemoved() && event.getRemoved().getInstance().getInstanceId().equals(instanceId)
				&& event.getRemoved().getReason() == reason;
	}

}
