package dev.switchboard.registry.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.map.impl.MapService;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.testing.MutableClock;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RemovalReason;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.switchboard.registry.TestHazelcast.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** LeaseRecord, status and ownership rules of the store, against a clock the test moves. */
class InstanceStoreTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration CHECKPOINT = Duration.ofSeconds(5);

	private static HazelcastInstance hazelcast;

	private MutableClock clock;

	private InstanceStore store;

	private String group;

	@BeforeAll
	static void startHazelcast() {
		hazelcast = TestHazelcast.start();
	}

	@AfterAll
	static void stopHazelcast() {
		hazelcast.shutdown();
	}

	@BeforeEach
	void newStore() {
		this.clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		this.store = new InstanceStore(hazelcast, this.clock);
		// a group per test keeps tests apart in the shared cluster
		this.group = "g" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void whenRegisteredThenFoundWithStartingStatusAndDefaultWeight() {
		InstanceRecord stored = register("a", "svc.A");
		assertThat(stored.status()).isEqualTo(InstanceStatus.STARTING);
		assertThat(stored.weight()).isEqualTo(InstanceRecord.DEFAULT_WEIGHT);
		assertThat(this.store.find(id("a"))).contains(stored);
	}

	@Test
	void whenSilentForTtlThenEvictedButNotBefore() {
		register("a", "svc.A");
		this.clock.advance(TTL.minusMillis(1));
		assertThat(evict()).isEmpty();
		this.clock.advance(Duration.ofMillis(2));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
		assertThat(this.store.find(id("a"))).isEmpty();
	}

	@Test
	void whenAMemberIsLostThenLeasesGetTwoMoreTtlsFromThatMomentAndNoMore() {
		register("a", "svc.A");
		this.clock.advance(TTL.plusMillis(500));
		// the cluster noticed a lost member after the lease ran out: its streams are still moving
		this.store.memberLost();
		assertThat(evict()).isEmpty();
		this.clock.advance(TTL.multipliedBy(2));
		assertThat(evict()).isEmpty();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenRegisteredAgainThenTheLeaseRunsFromTheLaterRegistration() {
		register("a", "svc.A");
		this.clock.advance(Duration.ofSeconds(2));
		register("a", "svc.A");
		this.clock.advance(TTL.minusMillis(1));
		assertThat(evict()).isEmpty();
		this.clock.advance(Duration.ofMillis(2));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenRegisteredOverALeaseARemovedInstanceLeftThenTheLeaseRunsFromTheRegistration() {
		// a lease a checkpoint wrote after its instance was removed, then released by the stream's end
		this.store.holdLeases(Map.of(id("a"), this.clock.millis()));
		join(this.store.releaseLease(id("a"), this.clock.millis()));
		this.clock.advance(TTL.minusMillis(1));
		register("a", "svc.A");
		this.clock.advance(Duration.ofMillis(2));
		assertThat(evict()).isEmpty();
		this.clock.advance(TTL);
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenARegistrationIsRefusedThenTheHoldersLeaseIsNotRenewed() {
		register("a", "svc.A");
		this.clock.advance(Duration.ofSeconds(2));
		InstanceRecord thief = InstanceRecord.of(request("a", "svc.B" + this.group).toBuilder()
			.setGroup(this.group + "-thief")
			.build(), this.clock.millis());
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.store.register(thief))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.ALREADY_EXISTS));
		this.clock.advance(Duration.ofMillis(1_001));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenHeartbeatingThenLeaseRenewedPastTtl() {
		register("a", "svc.A");
		for (int i = 0; i < 5; i++) {
			this.clock.advance(Duration.ofSeconds(1));
			join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 0));
			assertThat(evict()).isEmpty();
		}
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenStreamBreaksThenDownAtOnceAndEvictedAtTtl() {
		register("a", "svc.A");
		join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 3));
		join(this.store.streamBroken(id("a"), "s1"));
		join(this.store.releaseLease(id("a"), this.clock.millis()));
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.DOWN);
		this.clock.advance(TTL.plusMillis(1));
		assertThat(evict()).hasSize(1);
	}

	@Test
	void whenALiveReplicaHoldsTheLeaseThenItsPartitionOwnerEvictsOnlyOnceTheHolderStoppedWritingIt() {
		register("a", "svc.A");
		join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 0));
		// the holder judges the lease; the owner steps in only when no checkpoint came for TTL plus the interval
		this.clock.advance(TTL.plus(CHECKPOINT));
		assertThat(evict()).isEmpty();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenTheHolderIsNoLongerAMemberThenTheLeaseRunsFromItsLastRenewal() {
		register("a", "svc.A");
		hazelcast.getMap(InstanceStore.LEASES).set(id("a"), new LeaseRecord(this.clock.millis(), UUID.randomUUID()));
		this.clock.advance(TTL.minusMillis(1));
		assertThat(evict()).isEmpty();
		this.clock.advance(Duration.ofMillis(2));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenAStreamEndsThenItsLeaseRunsFromTheLastBeatUnlessAnotherReplicaHoldsIt() {
		register("a", "svc.A");
		register("b", "svc.A");
		this.store.holdLeases(Map.of(id("a"), this.clock.millis(), id("b"), this.clock.millis()));
		// b's stream moved to another replica before this one saw its old stream end
		UUID other = UUID.randomUUID();
		hazelcast.getMap(InstanceStore.LEASES).set(id("b"), new LeaseRecord(this.clock.millis(), other));
		this.clock.advance(Duration.ofSeconds(1));
		long lastBeat = this.clock.millis();
		join(this.store.releaseLease(id("a"), lastBeat));
		join(this.store.releaseLease(id("b"), lastBeat));
		assertThat(this.store.evictHeld(id("b"))).isEmpty();
		assertThat(hazelcast.getMap(InstanceStore.LEASES).get(id("a"))).isEqualTo(new LeaseRecord(lastBeat, null));
		assertThat(hazelcast.getMap(InstanceStore.LEASES).get(id("b"))).isEqualTo(
				new LeaseRecord(lastBeat - 1_000, other));
		this.clock.advance(TTL);
		// b's holder is no member of this one-member cluster: its lease runs from the renewal that holder wrote
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("b"));
		this.clock.advance(Duration.ofMillis(1));
		assertThat(evict()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenOldStreamBreaksAfterNewStreamTookOverThenStaysUp() {
		register("a", "svc.A");
		join(this.store.heartbeat(this.group, id("a"), "old", InstanceStatus.UP, 0));
		join(this.store.heartbeat(this.group, id("a"), "new", InstanceStatus.UP, 0));
		join(this.store.streamBroken(id("a"), "old"));
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenStreamResumesAfterBreakThenUpAgain() {
		register("a", "svc.A");
		join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 0));
		join(this.store.streamBroken(id("a"), "s1"));
		join(this.store.heartbeat(this.group, id("a"), "s2", InstanceStatus.UP, 0));
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenForcedOutOfServiceThenHeartbeatCannotUndoItUntilCleared() {
		register("a", "svc.A");
		this.store.setOutOfService(id("a"), true);
		InstanceStore.Beat afterBeat = join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 0));
		assertThat(afterBeat.status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
		register("a", "svc.A");
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
		this.store.setOutOfService(id("a"), false);
		join(this.store.heartbeat(this.group, id("a"), "s1", InstanceStatus.UP, 0));
		assertThat(this.store.find(id("a")).orElseThrow().status()).isEqualTo(InstanceStatus.UP);
	}

	@Test
	void whenRegisteredTwiceThenUpdatedNotDuplicated() {
		register("a", "svc.A");
		InstanceRecord updated = this.store.register(InstanceRecord.of(request("a", "svc.A").toBuilder()
			.setPort(9999)
			.setStatus(InstanceStatus.UP)
			.build(), 0));
		assertThat(updated.port()).isEqualTo(9999);
		assertThat(this.store.all().stream().filter((r) -> r.group().equals(this.group))).hasSize(1);
	}

	@Test
	void whenAnotherGroupClaimsServiceThenAlreadyExistsNamingOwner() {
		String service = "svc.Owned" + this.group;
		register("a", service);
		InstanceRecord intruder = InstanceRecord.of(RegisterRequest.newBuilder()
			.setGroup(this.group + "-other")
			.setInstanceId(id("intruder"))
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices(service)
			.build(), 0);
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.store.register(intruder))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.ALREADY_EXISTS))
			.withMessageContaining("'" + this.group + "'");
		assertThat(this.store.find(id("intruder"))).isEmpty();
	}

	@Test
	void whenARegistrationIsRefusedThenItLeavesNoClaimOnTheInstanceId() {
		String service = "svc.Claimed" + this.group;
		register("a", service);
		InstanceRecord refused = InstanceRecord.of(RegisterRequest.newBuilder()
			.setGroup(this.group + "-other")
			.setInstanceId(id("orphan"))
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices(service)
			.build(), 0);
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.store.register(refused, "first-client"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.ALREADY_EXISTS));
		// another client may take the id: the refused one did not keep it
		InstanceRecord later = InstanceRecord.of(RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(id("orphan"))
			.setHost("127.0.0.1")
			.setPort(2)
			.addServices(service)
			.build(), 0);
		assertThat(this.store.register(later, "second-client").port()).isEqualTo(2);
	}

	@Test
	void whenLastInstanceOfGroupLeavesThenServiceFreeForAnotherGroup() {
		String service = "svc.Moving" + this.group;
		register("a", service);
		register("b", service);
		this.store.deregister(this.group, id("a"));
		Map<String, Set<String>> served = Map.of(this.group, Set.of(service));
		this.store.releaseAbandonedClaims(served);
		this.store.releaseAbandonedClaims(served);
		assertThat(this.store.serviceOwners()).containsEntry(service, this.group);
		this.store.deregister(this.group, id("b"));
		// a claim goes only when found unused twice, so a registration in flight keeps it
		this.store.releaseAbandonedClaims(Map.of());
		assertThat(this.store.serviceOwners()).containsEntry(service, this.group);
		assertThat(this.store.releaseAbandonedClaims(Map.of())).containsEntry(service, this.group);
		assertThat(this.store.serviceOwners()).doesNotContainKey(service);
	}

	@Test
	void whenAServiceIsServedWithoutAClaimThenReconcilingClaimsItAgainOnce() {
		String service = "svc.Gap" + this.group;
		register("a", service);
		// a release that raced the registration: the instance registered, its claim gone
		hazelcast.getMap(InstanceStore.SERVICE_OWNERS).remove(service);
		Map<String, Set<String>> served = Map.of(this.group, Set.of(service));
		assertThat(this.store.reclaimServed(served))
			.containsExactly(new InstanceStore.Reclaim(service, this.group, this.group));
		assertThat(this.store.serviceOwners()).containsEntry(service, this.group);
		assertThat(this.store.reclaimServed(served)).isEmpty();
	}

	@Test
	void whenAnotherGroupClaimedAServiceInTheGapThenReconcilingKeepsItsClaimAndSaysSo() {
		String service = "svc.Taken" + this.group;
		register("a", service);
		hazelcast.getMap(InstanceStore.SERVICE_OWNERS).remove(service);
		hazelcast.<String, String>getMap(InstanceStore.SERVICE_OWNERS).put(service, "other");
		assertThat(this.store.reclaimServed(Map.of(this.group, Set.of(service))))
			.containsExactly(new InstanceStore.Reclaim(service, this.group, "other"));
		assertThat(this.store.serviceOwners()).containsEntry(service, "other");
	}

	@Test
	void whenInstanceIdBelongsToAnotherGroupThenAlreadyExists() {
		register("a", "svc.A" + this.group);
		InstanceRecord thief = InstanceRecord.of(request("a", "svc.B" + this.group).toBuilder()
			.setGroup(this.group + "-thief")
			.build(), 0);
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.store.register(thief))
			.withMessageContaining("is registered by group");
	}

	@Test
	void whenAnotherClientTakesAnInstanceIdThenPermissionDeniedUntilItIsGone() {
		InstanceRecord mine = InstanceRecord.of(request("a", "svc.A"), 0);
		this.store.register(mine, "client-1");
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.store.register(mine, "client-2"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.store.deregister(this.group, id("a"), "client-2"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
		assertThat(this.store.find(id("a"))).isPresent();
		this.store.deregister(this.group, id("a"), "client-1");
		this.store.register(mine, "client-2");
		assertThat(this.store.find(id("a"))).isPresent();
	}

	@Test
	void whenHeartbeatForUnknownOrOtherGroupThenNotFound() {
		register("a", "svc.A");
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> join(this.store.heartbeat(this.group, id("nobody"), "s", InstanceStatus.UP, 0)))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.NOT_FOUND));
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> join(this.store.heartbeat("other", id("a"), "s", InstanceStatus.UP, 0)))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.NOT_FOUND));
	}

	@Test
	void whenRemovedThenListenersToldWhetherDeregisteredOrEvicted() {
		List<String> events = Collections.synchronizedList(new ArrayList<>());
		this.store.subscribe(new InstanceListener() {

			@Override
			public void updated(InstanceRecord record) {
			}

			@Override
			public void removed(InstanceRecord record, RemovalReason reason) {
				if (record.group().equals(InstanceStoreTests.this.group)) {
					events.add(record.instanceId() + ":" + reason);
				}
			}
		});
		register("a", "svc.A");
		register("b", "svc.A");
		this.store.deregister(this.group, id("a"));
		this.clock.advance(TTL.plusSeconds(1));
		evict();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(events).containsExactlyInAnyOrder(id("a") + ":DEREGISTERED",
					id("b") + ":EVICTED"));
	}

	@Test
	void whenTwoListenersSubscribeThenBothAreToldOfEveryChangeThroughOneClusterRegistration() {
		int registrationsBefore = instanceListenerRegistrations();
		List<String> first = Collections.synchronizedList(new ArrayList<>());
		List<String> second = Collections.synchronizedList(new ArrayList<>());
		this.store.subscribe(recording(first));
		this.store.subscribe(recording(second));
		// each registration makes every member send each change once more, with the record's old and new value
		assertThat(instanceListenerRegistrations()).isEqualTo(registrationsBefore + 1);
		register("a", "svc.A");
		this.store.deregister(this.group, id("a"));
		List<String> expected = List.of(id("a") + ":UPDATED", id("a") + ":DEREGISTERED");
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(first).containsExactlyElementsOf(expected);
			assertThat(second).containsExactlyElementsOf(expected);
		});
	}

	private InstanceListener recording(List<String> events) {
		return new InstanceListener() {

			@Override
			public void updated(InstanceRecord record) {
				if (record.group().equals(InstanceStoreTests.this.group)) {
					events.add(record.instanceId() + ":UPDATED");
				}
			}

			@Override
			public void removed(InstanceRecord record, RemovalReason reason) {
				if (record.group().equals(InstanceStoreTests.this.group)) {
					events.add(record.instanceId() + ":" + reason);
				}
			}
		};
	}

	/** The entry listeners registered on the instances map, read from the member's event service. */
	private static int instanceListenerRegistrations() {
		return ((HazelcastInstanceProxy) hazelcast).getOriginal().node.getNodeEngine()
			.getEventService()
			.getRegistrations(MapService.SERVICE_NAME, InstanceStore.INSTANCES)
			.size();
	}

	/** Evicts what expired and returns this test's share of it; other tests' instances share the cluster. */
	private List<InstanceRecord> evict() {
		return this.store.evictExpired(TTL, CHECKPOINT).stream().filter((r) -> r.group().equals(this.group)).toList();
	}

	private InstanceRecord register(String name, String service) {
		return this.store.register(InstanceRecord.of(request(name, service), this.clock.millis()));
	}

	private RegisterRequest request(String name, String service) {
		return RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(id(name))
			.setHost("127.0.0.1")
			.setPort(7000)
			.addServices(service.contains(this.group) ? service : service + this.group)
			.build();
	}

	private String id(String name) {
		return this.group + "-" + name;
	}

}
