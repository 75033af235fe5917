package dev.switchboard.registry.cluster;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.switchboard.registry.RegistryProperties;
import dev.switchboard.registry.TestHazelcast;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HazelcastConfigFactoryTests {

	@Test
	void whenAValueOfAClassOutsideTheAllowedOnesIsReadThenDeserializationIsRefused() {
		RegistryProperties.Cluster cluster = new Binder(new MapConfigurationPropertySource(
				Map.of("switchboard.registry.cluster.port", Integer.toString(25000 + (int) (ProcessHandle.current().pid() % 5000)))))
			.bindOrCreate("switchboard.registry", RegistryProperties.class)
			.cluster();
		HazelcastInstance member = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(cluster));
		try {
			// a map outside the store's, kept serialized: reading it back deserializes
			IMap<String, Object> map = member.getMap("test.filter");
			map.put("allowed", new java.util.ArrayList<>(List.of("a", "b")));
			assertThat(map.get("allowed")).isEqualTo(List.of("a", "b"));
			// java.io.File is Serializable and has no Hazelcast serializer of its own: Java deserialization
			map.put("foreign", new File("/etc/passwd"));
			assertThatThrownBy(() -> map.get("foreign")).hasStackTraceContaining("java.io.File");
		}
		finally {
			member.shutdown();
		}
	}

	@Test
	void whenAMemberDoesNotKnowTheClusterSecretThenItCannotJoinWhileOneThatKnowsItDoes() {
		int first = TestHazelcast.freePort();
		int second = TestHazelcast.freePort();
		int foreign = TestHazelcast.freePort();
		List<String> members = List.of("127.0.0.1:" + first, "127.0.0.1:" + second);
		String name = "test-" + UUID.randomUUID();
		String secret = "s3cret-" + UUID.randomUUID();
		HazelcastInstance one = Hazelcast.newHazelcastInstance(
				HazelcastConfigFactory.create(new RegistryProperties.Cluster(name, "127.0.0.1", first, members, secret)));
		HazelcastInstance intruder = null;
		HazelcastInstance two = null;
		try {
			// same cluster name and member list, another secret: refused at join, it forms a cluster of its own
			intruder = Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(new RegistryProperties.Cluster(
					name, "127.0.0.1", foreign, List.of("127.0.0.1:" + first), "guessed-" + UUID.randomUUID())));
			assertThat(one.getCluster().getMembers()).hasSize(1);
			assertThat(intruder.getCluster().getMembers()).hasSize(1);

			two = Hazelcast.newHazelcastInstance(
					HazelcastConfigFactory.create(new RegistryProperties.Cluster(name, "127.0.0.1", second, members, secret)));
			assertThat(one.getCluster().getMembers()).hasSize(2);
		}
		finally {
			for (HazelcastInstance member : new HazelcastInstance[] { intruder, two, one }) {
				if (member != null) {
					member.shutdown();
				}
			}
		}
	}

	@Test
	void whenMembersAreListedWithoutASecretThenSettingsAreRefused() {
		assertThatThrownBy(() -> new RegistryProperties.Cluster("n", "127.0.0.1", 5701, List.of("127.0.0.1:5702"),
				null))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("switchboard.registry.cluster.secret");
	}

}
