package dev.switchboard.launcher.topology;

import java.util.List;

import dev.switchboard.contracts.DefaultPorts;

/**
 * The processes the platform is made of: the group each joins as (and the client it gets), where its runnable jar is
 * built, its JVM settings and its fixed ports on one machine. Listed in the order their group clients are made.
 */
public enum PlatformService {

	/** Clients, tokens, authorization, the platform CA. */
	AUTH("auth", "auth-service", "auth-service", JvmSettings.QUICK_START, DefaultPorts.AUTH_GRPC,
			DefaultPorts.AUTH_HTTP, PortSeries.FIXED),

	/** Registrations, leases, heartbeats, Watch. */
	REGISTRY("registry", "registry-service", "registry-service", JvmSettings.REGISTRY, DefaultPorts.REGISTRY_GRPC,
			DefaultPorts.REGISTRY_HTTP, PortSeries.FIXED),

	/** The gRPC proxy every caller talks to. */
	ROUTER("router", "router-service", "router-service", JvmSettings.ROUTER, DefaultPorts.ROUTER_GRPC,
			DefaultPorts.ROUTER_HTTP, PortSeries.FIXED),

	/** The Java compute sample; its gRPC port is any free one (the bound port is registered). */
	COMPUTE("compute", "sample-components/compute", "sample-compute", JvmSettings.QUICK_START, 0,
			DefaultPorts.COMPUTE_HTTP, PortSeries.PER_REPLICA),

	/** The Java volume sample. */
	VOLUME("volume", "sample-components/volume", "sample-volume", JvmSettings.QUICK_START, 0,
			DefaultPorts.VOLUME_HTTP, PortSeries.PER_REPLICA),

	/** The Python network sample: no jar and no actuator; up once the registry lists it. */
	NETWORK("network", "sample-components/network", null, null, 0, 0, PortSeries.PER_REPLICA),

	/** Spring Boot Admin fed by the registry. */
	DASHBOARD("dashboard", "dashboard", "switchboard-dashboard", JvmSettings.QUICK_START, 0,
			DefaultPorts.DASHBOARD_HTTP, PortSeries.FIXED);

	/** How the ports of a service's replicas follow from its base ports. */
	private enum PortSeries {

		/** Replica n on base + 10 (n - 1): the first on the base port, so the gRPC and HTTP series never meet. */
		FIXED,

		/** Replica n on base + n: the samples' actuators (8201, 8202, ...). */
		PER_REPLICA

	}

	private final String group;

	private final String module;

	private final String artifact;

	private final JvmSettings jvm;

	private final int grpcPort;

	private final int httpPort;

	private final PortSeries ports;

	PlatformService(String group, String module, String artifact, JvmSettings jvm, int grpcPort, int httpPort,
			PortSeries ports) {
		this.group = group;
		this.module = module;
		this.artifact = artifact;
		this.jvm = jvm;
		this.grpcPort = grpcPort;
		this.httpPort = httpPort;
		this.ports = ports;
	}

	/** The group its replicas register in and the id of its client. */
	public String group() {
		return this.group;
	}

	/** The Maven module, relative to the checkout. */
	public String module() {
		return this.module;
	}

	/** The Maven artifact id of its runnable jar ({@code <artifact>-<version>-exec.jar}). */
	public String artifact() {
		return requireJava().artifact;
	}

	/** Its JVM settings. */
	public JvmSettings jvm() {
		return requireJava().jvm;
	}

	/** Whether it runs on the JVM (every service but the Python sample). */
	public boolean isJava() {
		return this.artifact != null;
	}

	/** Whether its replicas live on fixed gRPC ports (auth, registry, router). */
	public boolean hasFixedGrpcPort() {
		return this.grpcPort != 0;
	}

	/** The gRPC port of replica {@code replica} (from 1); 0 for one that takes any free port. */
	public int grpcPort(int replica) {
		return (this.grpcPort != 0) ? this.grpcPort + offset(replica) : 0;
	}

	/** The actuator's port of replica {@code replica} (from 1). */
	public int httpPort(int replica) {
		if (this.httpPort == 0) {
			throw new IllegalStateException(this + " has no actuator");
		}
		return this.httpPort + offset(replica);
	}

	/** The instance id of replica {@code replica}: {@code <group>-<n>}. */
	public String instance(int replica) {
		return this.group + "-" + replica;
	}

	/** The groups that get a client of their own, in order. */
	public static List<String> groups() {
		return List.of(values()).stream().map(PlatformService::group).toList();
	}

	private int offset(int replica) {
		if (replica < 1) {
			throw new IllegalArgumentException("replicas count from 1: " + replica);
		}
		return (this.ports == PortSeries.FIXED) ? 10 * (replica - 1) : replica;
	}

	private PlatformService requireJava() {
		if (!isJava()) {
			throw new IllegalStateException(this + " does not run on the JVM");
		}
		return this;
	}

}
