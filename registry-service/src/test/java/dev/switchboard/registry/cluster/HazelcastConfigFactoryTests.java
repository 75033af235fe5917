package dev.switchboard.registry.cluster;

import java.io.File;
import java.util.List;
import java.util.Map;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.switchboard.registry.RegistryProperties;
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

}
