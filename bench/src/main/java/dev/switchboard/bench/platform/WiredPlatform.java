package dev.switchboard.bench.platform;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.launcher.topology.PlatformWiring;

/**
 * Starts the processes of one platform on loopback, each wired into it as {@code ./switchboard up} wires its own
 * ({@link PlatformWiring}: its group's client with the secret in its environment, the token endpoint, the platform
 * CA, the registries, the auth replicas it asks), for the benchmarks and the end-to-end tests. Auth's and the
 * registries' ports are chosen here up front, so every process's wiring is known before auth starts; the rest take
 * the ports their caller gives them. Callers keep the processes they start, and stop them. Not thread-safe.
 */
public final class WiredPlatform {

	private final Path state;

	private final PlatformSecrets secrets;

	private final int authGrpc = PlatformProcess.freePort();

	private final int authHttp = PlatformProcess.freePort();

	private final List<Integer> registryPorts;

	private final List<Integer> clusterPorts;

	private final PlatformWiring wiring;

	/**
	 * @param state the platform's state directory: the group secrets ({@link PlatformSecrets}), auth's database and
	 * the CA's trust bundle
	 * @param registries how many registry replicas the platform has
	 */
	public WiredPlatform(Path state, int registries) {
		this.state = state;
		this.secrets = PlatformSecrets.create(state);
		this.registryPorts = IntStream.range(0, registries).mapToObj((i) -> PlatformProcess.freePort()).toList();
		this.clusterPorts = IntStream.range(0, registries).mapToObj((i) -> PlatformProcess.freePort()).toList();
		this.wiring = new PlatformWiring("127.0.0.1",
				this.registryPorts.stream().map((port) -> "127.0.0.1:" + port).toList(), List.of(authAddress()),
				List.of(tokenUri().toString()), this.secrets.trustBundle());
	}

	/**
	 * Starts auth as replica {@code auth-1}: the CA, and every group's client from {@link PlatformSecrets}; wait for
	 * its trust bundle ({@link PlatformSecrets#awaitTrustBundle}) before starting anything that needs a certificate.
	 * @param arguments auth's arguments besides the platform's
	 * @param environment variables besides its client secret
	 */
	public PlatformProcess startAuth(String name, List<String> jvmOptions, List<String> arguments,
			Map<String, String> environment) {
		List<String> args = new ArrayList<>(this.secrets.authArguments());
		args.addAll(List.of("--spring.grpc.server.port=" + this.authGrpc, "--switchboard.auth.data-dir=" + this.state,
				"--switchboard.auth.bootstrap.credentials-file=" + this.state.resolve("credentials.env")));
		args.addAll(arguments);
		return start(name, PlatformService.AUTH, "auth-1", jvmOptions, args, environment, this.authHttp);
	}

	/**
	 * Starts registry replica {@code replica} (from 1) on its gRPC and cluster ports; with more than one replica, in
	 * one cluster with the others.
	 * @param arguments its arguments besides the platform's
	 * @param environment variables besides its client secret (the cluster's secret, with more than one replica)
	 */
	public PlatformProcess startRegistry(String name, int replica, List<String> jvmOptions, List<String> arguments,
			Map<String, String> environment) {
		List<String> args = new ArrayList<>(List.of("--spring.grpc.server.port=" + registryPort(replica),
				"--switchboard.registry.cluster.port=" + this.clusterPorts.get(replica - 1)));
		if (this.clusterPorts.size() > 1) {
			args.add("--switchboard.registry.cluster.members="
					+ String.join(",", this.clusterPorts.stream().map((port) -> "127.0.0.1:" + port).toList()));
		}
		args.addAll(arguments);
		return start(name, PlatformService.REGISTRY, "registry-" + replica, jvmOptions, args, environment,
				PlatformProcess.freePort());
	}

	/**
	 * Starts replica {@code instance} of {@code service} wired into this platform.
	 * @param arguments its arguments besides the platform's: its gRPC port, its own settings
	 */
	public PlatformProcess start(String name, PlatformService service, String instance, List<String> jvmOptions,
			List<String> arguments) {
		return start(name, service, instance, jvmOptions, arguments, Map.of(), PlatformProcess.freePort());
	}

	private PlatformProcess start(String name, PlatformService service, String instance, List<String> jvmOptions,
			List<String> arguments, Map<String, String> environment, int httpPort) {
		List<String> args = new ArrayList<>(this.wiring.arguments(service));
		args.add(PlatformWiring.instanceArgument(service, instance));
		args.addAll(arguments);
		Map<String, String> variables = new HashMap<>(this.secrets.clientEnvironment(service.group()));
		variables.putAll(environment);
		return PlatformProcess.start(name, service, jvmOptions, args, variables, httpPort);
	}

	/** How every process is wired into this platform. */
	public PlatformWiring wiring() {
		return this.wiring;
	}

	public PlatformSecrets secrets() {
		return this.secrets;
	}

	/** The auth service's gRPC address (its CA and {@code Authorize}). */
	public String authAddress() {
		return "127.0.0.1:" + this.authGrpc;
	}

	/** Auth's token endpoint. */
	public URI tokenUri() {
		return URI.create("http://127.0.0.1:" + this.authHttp + "/oauth2/token");
	}

	/** The gRPC port of registry replica {@code replica} (from 1). */
	public int registryPort(int replica) {
		return this.registryPorts.get(replica - 1);
	}

	/** The registry replicas' gRPC ports, in replica order. */
	public List<Integer> registryPorts() {
		return this.registryPorts;
	}

}
