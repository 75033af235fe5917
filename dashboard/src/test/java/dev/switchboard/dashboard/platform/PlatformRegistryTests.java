package dev.switchboard.dashboard.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.google.protobuf.Timestamp;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.dashboard.FakeRegistry;
import dev.switchboard.dashboard.InProcessRegistryExtension;
import dev.switchboard.registry.v1.InstanceStatus;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PlatformRegistryTests {

	private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

	private static final Timestamp RENEWED_400_MS_AGO = Timestamp.newBuilder()
		.setSeconds(NOW.minusMillis(400).getEpochSecond())
		.setNanos(NOW.minusMillis(400).getNano())
		.build();

	@RegisterExtension
	final InProcessRegistryExtension inProcess = new InProcessRegistryExtension();

	private PlatformRegistry platform() {
		return new PlatformRegistry(new RegistryChannels(List.of("alive"), (target) -> this.inProcess.channel()),
				Duration.ofSeconds(2), Clock.fixed(NOW, ZoneOffset.UTC));
	}

	@Test
	void whenGroupsListedThenEveryReplicaComesWithStatusLeaseAgeAndLoad() {
		this.inProcess.registry()
			.add(FakeRegistry.replica("compute", "compute-2", 7002, RENEWED_400_MS_AGO))
			.add(FakeRegistry.replica("compute", "compute-1", 7001, RENEWED_400_MS_AGO))
			.add(FakeRegistry.replica("auth", "auth-1", 7100, RENEWED_400_MS_AGO));
		assertThat(platform().groups()).satisfiesExactly((auth) -> assertThat(auth.name()).isEqualTo("auth"),
				(compute) -> {
					assertThat(compute.name()).isEqualTo("compute");
					assertThat(compute.up()).isEqualTo(2);
					assertThat(compute.services()).containsExactly("test.v1.Compute");
					assertThat(compute.replicas()).extracting(PlatformReplica::instanceId)
						.containsExactly("compute-1", "compute-2");
					PlatformReplica first = compute.replicas().get(0);
					assertThat(first.status()).isEqualTo(InstanceStatus.UP);
					assertThat(first.leaseAgeMillis()).isEqualTo(400L);
					assertThat(first.inFlight()).isEqualTo(3);
					assertThat(first.callsPerSecond()).isEqualTo(12.5);
					assertThat(first.zone()).isEqualTo("zone-a");
					assertThat(first.address()).isEqualTo("127.0.0.1:7001");
					assertThat(first.managementUrl()).isEqualTo("http://127.0.0.1:8001/actuator");
				});
	}

	@Test
	void whenTheRegistryDoesNotSayWhenTheLeaseWasRenewedThenTheLeaseAgeIsUnknown() {
		this.inProcess.registry()
			.add(FakeRegistry.replica("compute", "compute-1", 7001, RENEWED_400_MS_AGO).toBuilder().clearRenewedAt().build());
		assertThat(platform().groups().get(0).replicas().get(0).leaseAgeMillis()).isNull();
	}

	@Test
	void whenAGroupEmptiesBetweenListAndGetThenItIsLeftOut() {
		this.inProcess.registry()
			.add(FakeRegistry.replica("compute", "compute-1", 7001, RENEWED_400_MS_AGO))
			.add(FakeRegistry.replica("volume", "volume-1", 7201, RENEWED_400_MS_AGO));
		this.inProcess.registry().vanishAfterListing("compute");
		assertThat(platform().groups()).extracting(PlatformGroup::name).containsExactly("volume");
		assertThat(this.inProcess.registry().calls()).containsExactly("ListGroups", "GetGroup", "GetGroup");
	}

	@Test
	void whenSetOutOfServiceThenTheRegistryIsToldAndTheReplicaComesBackForced() {
		this.inProcess.registry().add(FakeRegistry.replica("compute", "compute-1", 7001, RENEWED_400_MS_AGO));
		PlatformReplica forced = platform().setOutOfService("compute-1", true);
		assertThat(forced.status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
		assertThat(forced.forcedOutOfService()).isTrue();
		assertThat(this.inProcess.registry().instance("compute-1").getForcedOutOfService()).isTrue();
		PlatformReplica cleared = platform().setOutOfService("compute-1", false);
		assertThat(cleared.status()).isEqualTo(InstanceStatus.UP);
		assertThat(cleared.forcedOutOfService()).isFalse();
	}

	@Test
	void whenTheRegistryRefusesThenItsStatusIsThrownAsIs() {
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> platform().setOutOfService("ghost-1", true))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
				assertThat(ex.getStatus().getDescription()).isEqualTo("instance 'ghost-1' is not registered");
			});
		this.inProcess.registry().failNext(Status.PERMISSION_DENIED.withDescription("client 'demo' has no admin grant"));
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> platform().setOutOfService("ghost-1", true))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
	}

	@Test
	void whenAReplicaIsUnreachableThenTheReachableOneAnswersEveryOperation() {
		this.inProcess.registry().add(FakeRegistry.replica("compute", "compute-1", 7001, RENEWED_400_MS_AGO));
		Map<String, Channel> opened = new ConcurrentHashMap<>();
		RegistryChannels channels = new RegistryChannels(
				List.of(this.inProcess.name() + "-gone", this.inProcess.name()),
				(target) -> opened.computeIfAbsent(target, this.inProcess::channelTo));
		PlatformRegistry platform = new PlatformRegistry(channels, Duration.ofSeconds(2),
				Clock.fixed(NOW, ZoneOffset.UTC));
		// whichever replica the channel tries first, the unreachable one never answers
		for (int i = 0; i < 3; i++) {
			assertThat(platform.groups()).extracting(PlatformGroup::name).containsExactly("compute");
		}
		assertThat(platform.setOutOfService("compute-1", true).forcedOutOfService()).isTrue();
		assertThat(opened).as("one channel over both replicas").hasSize(1);
		// a refusal from the replica that answers is thrown as it is
		this.inProcess.registry().failNext(Status.PERMISSION_DENIED);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(platform::groups)
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
	}

	@Test
	void whenEveryReplicaIsUnreachableThenUnavailable() {
		PlatformRegistry platform = new PlatformRegistry(
				new RegistryChannels(List.of(this.inProcess.name() + "-gone"), this.inProcess::channelTo),
				Duration.ofSeconds(2), Clock.fixed(NOW, ZoneOffset.UTC));
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(platform::groups)
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
	}

}
