package dev.switchboard.registry;

import java.time.Duration;
import java.util.List;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the registry under {@code switchboard.registry}.
 *
 * @param heartbeatInterval How often instances must heartbeat
 * @param ttl How long after its last heartbeat an instance is evicted
 * @param watchQueueLimit How many undelivered events a watcher may fall behind before it gets a fresh snapshot
 * @param cluster How registry replicas find each other
 * @param auth How calls are authorized
 * @param quotas What one client (one token's principal) may hold
 */
@ConfigurationProperties("switchboard.registry")
public record RegistryProperties(@DefaultValue("1s") Duration heartbeatInterval, @DefaultValue("3s") Duration ttl,
		@DefaultValue("1024") int watchQueueLimit, @DefaultValue Cluster cluster, @DefaultValue Auth auth,
		@DefaultValue Quotas quotas) {

	public RegistryProperties {
		if (ttl.compareTo(heartbeatInterval) <= 0) {
			throw new IllegalArgumentException("switchboard.registry.ttl (" + ttl
					+ ") must be longer than switchboard.registry.heartbeat-interval (" + heartbeatInterval + ")");
		}
	}

	/**
	 * How often the sweeper looks for expired leases: a quarter of the heartbeat interval, at most 250 ms, so that a
	 * silent instance goes within TTL plus one interval.
	 */
	public Duration sweepInterval() {
		Duration quarter = this.heartbeatInterval.dividedBy(4);
		return (quarter.compareTo(Duration.ofMillis(250)) < 0) ? quarter : Duration.ofMillis(250);
	}

	/**
	 * How often a replica writes the leases it holds to the cluster: five heartbeat intervals. Between two
	 * checkpoints a heartbeat costs no cluster write; the replica holding the stream judges the lease itself.
	 */
	public Duration checkpointInterval() {
		return this.heartbeatInterval.multipliedBy(5);
	}

	/**
	 * Authorization of registry calls by the auth service.
	 *
	 * @param enabled Whether every Registry call needs a token that allows it
	 * @param fallbackAddress Auth replicas (host:port, comma-separated) to ask after those registered in group
	 * {@code auth}: list every auth replica, so auth stays reachable while none is registered
	 * @param cacheMaxAge Longest a decision is remembered (never longer than the token lives)
	 * @param timeout Deadline of each Authorize call
	 */
	public record Auth(@DefaultValue("true") boolean enabled, @DefaultValue(DefaultPorts.AUTH_ADDRESS) List<String> fallbackAddress,
			@DefaultValue("5m") Duration cacheMaxAge, @DefaultValue("2s") Duration timeout) {

	}

	/**
	 * What one client may hold, so that a client whose credentials leak cannot exhaust the registry. Counted only when
	 * calls are authorized (the client is the token's principal).
	 *
	 * @param instancesPerClient Instances one client may hold registered
	 * @param bytesPerClient Bytes of registrations (names, services, management URL, zone and metadata) one client may
	 * hold
	 * @param watchStreamsPerClient Watch streams one client may hold open on each replica
	 */
	public record Quotas(@DefaultValue("10000") int instancesPerClient, @DefaultValue("32MB") DataSize bytesPerClient,
			@DefaultValue("1000") int watchStreamsPerClient) {

		public Quotas {
			if (instancesPerClient < 1 || bytesPerClient.toBytes() < 1 || watchStreamsPerClient < 1) {
				throw new IllegalArgumentException("switchboard.registry.quotas.* must be positive");
			}
		}

	}

	/**
	 * Embedded Hazelcast cluster settings.
	 *
	 * @param name The Hazelcast cluster name; replicas with another name never join
	 * @param address The address this replica binds (only that interface) and announces
	 * @param port The Hazelcast member port
	 * @param members The other replicas as host:port; a single-member registry when empty
	 * @param secret What a member must know to join (SWITCHBOARD_REGISTRY_CLUSTER_SECRET; never on a command line):
	 * required when members are listed. Hazelcast's open-source member protocol has no authentication of its own, so
	 * the secret is folded into the cluster name a joining member must present
	 */
	public record Cluster(@DefaultValue("switchboard-registry") String name, @DefaultValue("127.0.0.1") String address,
			@DefaultValue("" + DefaultPorts.REGISTRY_CLUSTER) int port, @DefaultValue List<String> members, String secret) {

		public Cluster {
			if (!members.isEmpty() && (secret == null || secret.length() < 16)) {
				throw new IllegalArgumentException("switchboard.registry.cluster.secret (at least 16 characters) must "
						+ "be set when switchboard.registry.cluster.members are listed: without it any process that "
						+ "reaches the member port and knows the cluster name joins the registry cluster");
			}
		}

	}

}
