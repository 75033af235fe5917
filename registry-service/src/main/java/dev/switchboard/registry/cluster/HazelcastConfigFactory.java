package dev.switchboard.registry.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.google.common.net.InetAddresses;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.config.MetadataPolicy;
import com.hazelcast.config.NetworkConfig;
import dev.switchboard.registry.RegistryProperties;
import dev.switchboard.registry.store.StoreSerializers;

/**
 * Builds the embedded Hazelcast member of a registry replica: TCP join to the configured members only (no multicast,
 * no discovery), one synchronous backup of every entry so a replica can die without losing registrations, and failure
 * detection tuned to seconds rather than Hazelcast's default minute. Java deserialization, which the store's own
 * serializers make unnecessary, is limited to the project's and the JDK's and Hazelcast's basic types, so a member
 * that joins the cluster cannot make replicas deserialize arbitrary classes. Members bind only the configured address,
 * and a member must know the cluster secret to join (see {@link #clusterName}).
 */
public final class HazelcastConfigFactory {

	private HazelcastConfigFactory() {
	}

	public static Config create(RegistryProperties.Cluster cluster) {
		Config config = new Config();
		config.setClusterName(clusterName(cluster));
		config.setInstanceName("registry-" + cluster.address() + "-" + cluster.port());
		config.setProperty("hazelcast.logging.type", "slf4j");
		config.setProperty("hazelcast.phone.home.enabled", "false");
		config.setProperty("hazelcast.shutdownhook.enabled", "false");
		config.setProperty("hazelcast.wait.seconds.before.join", "0");
		config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
		config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
		config.setProperty("hazelcast.partition.count", "71");
		// Hazelcast's own metrics feed its Management Center, which nothing here runs; collecting them walked every
		// map's statistics every few seconds (the registry publishes its own meters through Micrometer)
		config.getMetricsConfig().setEnabled(false);
		config.setProperty("hazelcast.operation.call.timeout.millis", "10000");
		config.getJetConfig().setEnabled(false);

		NetworkConfig network = config.getNetworkConfig();
		network.setPort(cluster.port()).setPortAutoIncrement(false);
		network.setPublicAddress(cluster.address() + ":" + cluster.port());
		// bind only that interface: loopback for a local run, the registries' own network in containers
		config.setProperty("hazelcast.socket.bind.any", "false");
		network.getInterfaces().setEnabled(true).addInterface(interfaceOf(cluster.address()));
		JoinConfig join = network.getJoin();
		join.getMulticastConfig().setEnabled(false);
		join.getAutoDetectionConfig().setEnabled(false);
		join.getTcpIpConfig().setEnabled(!cluster.members().isEmpty()).setMembers(cluster.members());

		// OBJECT: entry processors and lease queries work on the stored objects, without deserializing per heartbeat
		// no JSON metadata per entry: nothing here is queried as JSON, and it was a tenth of every lease write
		config.addMapConfig(new MapConfig("switchboard.*").setBackupCount(1)
			.setAsyncBackupCount(0)
			.setInMemoryFormat(InMemoryFormat.OBJECT)
			.setMetadataPolicy(MetadataPolicy.OFF)
			.setStatisticsEnabled(false)
			.setPerEntryStatsEnabled(false));
		// leases are written when a stream starts or ends and in checkpoint batches: a backup that lags by one write
		// costs nothing (the survivors evict nothing for two TTLs after a member's loss), so writes do not wait for it
		config.addMapConfig(new MapConfig("switchboard.leases").setBackupCount(0)
			.setAsyncBackupCount(1)
			.setInMemoryFormat(InMemoryFormat.OBJECT)
			.setMetadataPolicy(MetadataPolicy.OFF)
			.setStatisticsEnabled(false)
			.setPerEntryStatsEnabled(false));
		// every registration of a group's replicas confirms the same few service claims: read here once, then from
		// this member's memory until a claim changes (invalidated at once, not batched: a released claim must not
		// look held for seconds)
		config.addMapConfig(new MapConfig("switchboard.service-owners").setBackupCount(1)
			.setAsyncBackupCount(0)
			.setInMemoryFormat(InMemoryFormat.OBJECT)
			.setMetadataPolicy(MetadataPolicy.OFF)
			.setNearCacheConfig(new NearCacheConfig().setInMemoryFormat(InMemoryFormat.OBJECT)
				.setInvalidateOnChange(true)
				.setCacheLocalEntries(true)));
		config.setProperty("hazelcast.map.invalidation.batch.enabled", "false");
		StoreSerializers.configure(config.getSerializationConfig());
		config.getSerializationConfig()
			// Hazelcast's defaults allow every java* class: only these prefixes are
			.setJavaSerializationFilterConfig(new JavaSerializationFilterConfig().setDefaultsDisabled(true)
				.setWhitelist(new ClassFilter().addPrefixes("dev.switchboard.", "java.lang.", "java.util.",
						"com.hazelcast.")
					// an exception thrown on another member (a partition migrating, say) carries its stack trace: an
					// array class, which no prefix matches; refused, the caller waited for the operation timeout
					.addClasses("[Ljava.lang.StackTraceElement;")));
		return config;
	}

	/**
	 * The name members must present to join: the configured name, followed by a digest of the secret when there is
	 * one. Hazelcast compares names on join and refuses a mismatch, so a process without the secret cannot join; the
	 * digest, not the secret, is what crosses the member network and shows in Hazelcast's logs.
	 */
	static String clusterName(RegistryProperties.Cluster cluster) {
		if (cluster.secret() == null) {
			return cluster.name();
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(("switchboard-registry-cluster\u0000" + cluster.secret()).getBytes(StandardCharsets.UTF_8));
			return cluster.name() + "-" + HexFormat.of().formatHex(digest, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", ex);
		}
	}

	/** The IP address of {@code address}, resolved once: a host name in containers, so only its network is bound. */
	private static String interfaceOf(String address) {
		if (InetAddresses.isInetAddress(address)) {
			return address;
		}
		try {
			return InetAddress.getByName(address).getHostAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("switchboard.registry.cluster.address '" + address
					+ "' does not resolve to an address to bind", ex);
		}
	}

}
