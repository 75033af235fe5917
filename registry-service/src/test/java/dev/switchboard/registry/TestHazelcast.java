package dev.switchboard.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.registry.cluster.HazelcastConfigFactory;

import static org.awaitility.Awaitility.await;

/** Starts Hazelcast clusters on loopback, each with its own name and ports, for tests. */
public final class TestHazelcast {

	private TestHazelcast() {
	}

	public static HazelcastInstance start() {
		RegistryProperties.Cluster cluster = new RegistryProperties.Cluster("test-" + UUID.randomUUID(), "127.0.0.1",
				freePort(), List.of(), null);
		return Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(cluster));
	}

	/**
	 * Starts a cluster of {@code size} members configured as registry replicas are (a secret, TCP join), one after the
	 * other, each listing itself and those before it so that it joins them at once; returns them once each sees all.
	 */
	public static List<HazelcastInstance> startCluster(int size) {
		String name = "test-" + UUID.randomUUID();
		List<String> members = new ArrayList<>();
		List<HazelcastInstance> cluster = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			int port = freePort();
			members.add("127.0.0.1:" + port);
			RegistryProperties.Cluster member = new RegistryProperties.Cluster(name, "127.0.0.1", port,
					List.copyOf(members), "test-cluster-secret-" + name);
			cluster.add(Hazelcast.newHazelcastInstance(HazelcastConfigFactory.create(member)));
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> cluster.stream().allMatch((member) -> member.getCluster().getMembers().size() == size));
		return List.copyOf(cluster);
	}

	/** Waits for a cluster operation the store started, failing with the store's own exception. */
	public static <T> T join(CompletableFuture<T> operation) {
		try {
			return operation.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
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
