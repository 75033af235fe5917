package dev.switchboard.registry.store;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.v1.RegisterRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Service claims across two replicas: each reads claims from its own near cache, which must follow a claim released
 * and taken by another group on the other replica.
 */
class ServiceClaimTests {

	private static List<HazelcastInstance> cluster;

	private static InstanceStore first;

	private static InstanceStore second;

	/** A service whose claim the first replica owns: the second sees it change only through invalidations. */
	private static String service;

	@BeforeAll
	static void startCluster() {
		cluster = TestHazelcast.startCluster(2);
		first = new InstanceStore(cluster.get(0), Clock.systemUTC());
		second = new InstanceStore(cluster.get(1), Clock.systemUTC());
		var owner = cluster.get(0).getCluster().getLocalMember();
		for (int i = 0; service == null; i++) {
			String candidate = "claims.v1.Moving" + i;
			if (owner.equals(cluster.get(0).getPartitionService().getPartition(candidate).getOwner())) {
				service = candidate;
			}
		}
	}

	@AfterAll
	static void stopCluster() {
		cluster.forEach(HazelcastInstance::shutdown);
	}

	@Test
	void whenAClaimMovesToAnotherGroupThenAReplicaThatCachedItRefusesTheFormerOwner() {
		// the second replica confirms group a's claim, and keeps it in its near cache
		second.register(record("a", "a-1"));
		second.register(record("a", "a-2"));
		second.deregister("a", "a-1");
		second.deregister("a", "a-2");
		// unused twice: released by the replica that owns the claim
		first.releaseAbandonedClaims(Map.of());
		first.releaseAbandonedClaims(Map.of());
		assertThat(first.serviceOwners()).doesNotContainKey(service);
		first.register(record("b", "b-1"));
		// the release and b's claim reach the second replica's cache as invalidations, not at once
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "b".equals(cluster.get(1).getMap(InstanceStore.SERVICE_OWNERS).get(service)));
		assertThatThrownBy(() -> second.register(record("a", "a-3")))
			.hasMessageContaining("service '" + service + "' is already served by group 'b'");
		assertThat(first.find("a-3")).isEmpty();
	}

	private static InstanceRecord record(String group, String instanceId) {
		return InstanceRecord.of(RegisterRequest.newBuilder()
			.setGroup(group)
			.setInstanceId(instanceId)
			.setHost("127.0.0.1")
			.setPort(7000)
			.addServices(service)
			.build(), 0);
	}

}
