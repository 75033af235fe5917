package dev.switchboard.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.registry.cluster.HazelcastConfigFactory;

/** Starts single-member Hazelcast clusters on loopback, each with its own name and port, for tests. */
public final class TestHazelcast {

	private TestHazelcast() {
	}

	public static HazelcastInstance start() {
		RegistryProperties.Cluster cluster = new RegistryProperties.Cluster("test-" + UUID.randomUUID(), "127.0.0.1",
				freePort(), List.of(), null);
		return Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(cluster));
	}

	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
