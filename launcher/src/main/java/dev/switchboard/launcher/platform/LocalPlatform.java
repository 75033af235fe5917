package dev.switchboard.launcher.platform;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.switchboard.launcher.LauncherException;
import dev.switchboard.launcher.process.JavaCommand;
import dev.switchboard.launcher.process.LaunchedProcesses;
import dev.switchboard.launcher.process.Readiness;
import dev.switchboard.launcher.process.Sleep;
import dev.switchboard.launcher.state.StateDirectory;
import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.contracts.DefaultPorts;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.launcher.topology.PlatformWiring;

import static dev.switchboard.launcher.topology.PlatformService.AUTH;
import static dev.switchboard.launcher.topology.PlatformService.COMPUTE;
import static dev.switchboard.launcher.topology.PlatformService.DASHBOARD;
import static dev.switchboard.launcher.topology.PlatformService.NETWORK;
import static dev.switchboard.launcher.topology.PlatformService.REGISTRY;
import static dev.switchboard.launcher.topology.PlatformService.ROUTER;
import static dev.switchboard.launcher.topology.PlatformService.VOLUME;
import static java.util.Objects.requireNonNull;

/**
 * The platform on one machine, on 127.0.0.1 and the {@link DefaultPorts fixed ports}: {@code up} starts auth (which
 * makes the CA and the clients), the registry, the samples, the router and the dashboard in that order and waits until
 * each is ready; {@code down} stops the components first, so they drain and deregister while the registry and auth
 * still run. Every server binds 127.0.0.1, every process trusts the CA auth writes to {@code ca.pem} and gets its
 * certificate with its own group's client. Not thread-safe; one launcher at a time per state folder.
 */
public final class LocalPlatform {

	private final Checkout checkout;

	private final StateDirectory state;

	private final LaunchedProcesses processes;

	private final Readiness readiness;

	private final PrintStream out;

	private final PrintStream err;

	public LocalPlatform(Checkout checkout, StateDirectory state, LaunchedProcesses processes, PrintStream out,
			PrintStream err) {
		this.checkout = requireNonNull(checkout, "checkout");
		this.state = requireNonNull(state, "state");
		this.processes = requireNonNull(processes, "processes");
		this.readiness = new Readiness(processes);
		this.out = requireNonNull(out, "out");
		this.err = requireNonNull(err, "err");
	}

	/** How many of each the platform runs; {@code ha} runs two replicas each of registry, auth and router. */
	public record Layout(boolean ha, int computeReplicas, int volumeReplicas, int networkReplicas) {

		/** The layout the environment asks for ({@code SWITCHBOARD_<SAMPLE>_REPLICAS}, else 3, 2, 2). */
		public static Layout fromEnvironment(boolean ha) {
			return new Layout(ha, replicas("SWITCHBOARD_COMPUTE_REPLICAS", 3), replicas("SWITCHBOARD_VOLUME_REPLICAS", 2),
					replicas("SWITCHBOARD_NETWORK_REPLICAS", 2));
		}

		/** Replicas of registry, auth and router. */
		public int coreReplicas() {
			return this.ha ? 2 : 1;
		}

		private static int replicas(String variable, int otherwise) {
			String value = System.getenv(variable);
			try {
				return (value == null || value.isBlank()) ? otherwise : Integer.parseInt(value.trim());
			}
			catch (NumberFormatException ex) {
				throw new LauncherException(variable + " is not a number: " + value, ex);
			}
		}

	}

	/**
	 * The fixed ports of {@code layout}'s auth, registry, router and dashboard, where a foreign listener would answer
	 * the health checks: {@link #up} refuses to start beside one.
	 */
	public static List<Integer> fixedPorts(Layout layout) {
		List<Integer> ports = new ArrayList<>(List.of(DASHBOARD.httpPort(1)));
		for (int n = 1; n <= layout.coreReplicas(); n++) {
			for (PlatformService service : List.of(AUTH, REGISTRY, ROUTER)) {
				ports.add(service.grpcPort(n));
				ports.add(service.httpPort(n));
			}
		}
		return ports;
	}

	/**
	 * Every fixed port {@code layout} binds: besides the {@link #fixedPorts fixed ports of its services}, the
	 * registries' cluster ports and the Java samples' actuators.
	 */
	public static List<Integer> ports(Layout layout) {
		List<Integer> ports = new ArrayList<>(fixedPorts(layout));
		for (int n = 1; n <= layout.coreReplicas(); n++) {
			ports.add(DefaultPorts.REGISTRY_CLUSTER + n - 1);
		}
		for (int i = 1; i <= layout.computeReplicas(); i++) {
			ports.add(COMPUTE.httpPort(i));
		}
		for (int i = 1; i <= layout.volumeReplicas(); i++) {
			ports.add(VOLUME.httpPort(i));
		}
		return ports;
	}

	/** Starts what is not running yet and waits until everything is ready; prints where everything is. */
	public void up(Layout layout) {
		this.state.create();
		String adminPassword = this.state.adminPassword();
		String readerPassword = this.state.readerPassword();
		Map<String, String> secrets = this.state.clientSecrets(PlatformService.groups());
		int replicas = layout.coreReplicas();
		PlatformWiring wiring = new PlatformWiring("127.0.0.1",
				addresses(replicas, (n) -> "127.0.0.1:" + REGISTRY.grpcPort(n)),
				addresses(replicas, (n) -> "127.0.0.1:" + AUTH.grpcPort(n)),
				addresses(replicas, (n) -> "http://127.0.0.1:" + AUTH.httpPort(n) + "/oauth2/token"),
				this.state.trustBundle());
		String members = String.join(",",
				addresses(replicas, (n) -> "127.0.0.1:" + (DefaultPorts.REGISTRY_CLUSTER + n - 1)));
		// where compute asks the network group for ports (and network asks compute about servers): the router's door
		List<String> viaRouter = List.of("--switchboard.grpc.clients.router.address=127.0.0.1:" + ROUTER.grpcPort(1),
				"--switchboard.grpc.clients.router.tls.enabled=false");
		// two auth replicas share the embedded H2 file (H2's auto-server mode): the first opens it and serves it to
		// the second; when that one dies, the second reconnects and takes the file over
		List<String> authDatabase = layout.ha() ? List.of("--spring.datasource.url=jdbc:h2:file:"
				+ this.state.authData().resolve("auth") + ";MODE=PostgreSQL;AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE")
				: List.of();
		JavaStarter java = new JavaStarter(adminPassword, readerPassword, secrets, wiring);
		this.out.println("Starting Switchboard on 127.0.0.1"
				+ (layout.ha() ? ", two replicas of registry, auth and router" : "") + ":");
		refuseForeignPorts(fixedPorts(layout));
		String databasePassword = this.state.databasePassword();
		if (databasePassword.isEmpty()) {
			this.err.println("  note: .switchboard/auth predates its database password; remove .switchboard to get one");
		}
		Map<String, Integer> actuators = new LinkedHashMap<>();
		for (int n = 1; n <= replicas; n++) {
			String name = AUTH.instance(n);
			// H2's auto-server, which serves the file to the second replica in --ha, listens on loopback only
			java.start(name, AUTH, List.of("-Dh2.bindAddress=127.0.0.1"),
					concat(portArguments(AUTH, n), List.of("--switchboard.auth.data-dir=" + this.state.authData()),
							authDatabase,
							List.of("--switchboard.auth.ca.bundle-file=" + this.state.trustBundle(),
									"--switchboard.auth.bootstrap.credentials-file=" + this.state.credentialsFile(),
									"--switchboard.auth.bootstrap.group-secrets-file=" + this.state.clientsFile())),
					Map.of("SPRING_DATASOURCE_PASSWORD", databasePassword));
			actuators.put(name, AUTH.httpPort(n));
			if (n == 1) {
				// the first auth replica creates the schema, the CA and the clients before anyone asks it for a
				// certificate, and before a second replica opens the database
				this.readiness.awaitFile(name, this.state.trustBundle());
				this.readiness.awaitHealthy(name, AUTH.httpPort(n));
				for (int m = 1; m <= replicas; m++) {
					String registry = REGISTRY.instance(m);
					java.start(registry, REGISTRY, List.of(), concat(portArguments(REGISTRY, m),
							List.of("--switchboard.registry.cluster.port=" + (DefaultPorts.REGISTRY_CLUSTER + m - 1),
									"--switchboard.registry.cluster.members=" + members)),
							Map.of("SWITCHBOARD_REGISTRY_CLUSTER_SECRET", this.state.clusterSecret()));
					actuators.put(registry, REGISTRY.httpPort(m));
				}
			}
		}
		// the registry and auth first: every JVM starting at once on two cores starves the rest
		actuators.forEach(this.readiness::awaitHealthy);
		for (int i = 1; i <= layout.computeReplicas(); i++) {
			java.start(COMPUTE.instance(i), COMPUTE, List.of(), concat(portArguments(COMPUTE, i), viaRouter),
					Map.of());
			actuators.put(COMPUTE.instance(i), COMPUTE.httpPort(i));
		}
		for (int i = 1; i <= layout.volumeReplicas(); i++) {
			java.start(VOLUME.instance(i), VOLUME, List.of(), portArguments(VOLUME, i), Map.of());
			actuators.put(VOLUME.instance(i), VOLUME.httpPort(i));
		}
		List<String> networks = startNetworks(layout, secrets.get("network"), wiring);
		for (int n = 1; n <= replicas; n++) {
			java.start(ROUTER.instance(n), ROUTER, List.of(), portArguments(ROUTER, n), Map.of());
			actuators.put(ROUTER.instance(n), ROUTER.httpPort(n));
		}
		// the admin dashboard reads the platform and sets instances out of service as the dashboard client
		java.start("dashboard", DASHBOARD, List.of(), List.of("--server.port=" + DASHBOARD.httpPort(1)), Map.of());
		actuators.put("dashboard", DASHBOARD.httpPort(1));
		actuators.forEach(this.readiness::awaitHealthy);
		RegistryView registry = new RegistryView(REGISTRY.httpPort(1), adminPassword);
		for (String network : networks) {
			this.readiness.await(network, "not registered", () -> registry.lists(network));
		}
		// a moment for the last replicas' first heartbeats, so the table shows them UP
		Sleep.millis(2000);
		this.out.println();
		this.out.print(registry.table());
		this.out.println();
		printWhere(layout, String.join(",", wiring.registries()), String.join(",", wiring.tokenUris()));
	}

	/** What each process started here is doing, then the registry's table. */
	public void status() {
		boolean running = false;
		for (String name : this.processes.names()) {
			var pid = this.processes.runningPid(name);
			if (pid.isPresent()) {
				this.out.println("  " + name + ": running (pid " + pid.getAsLong() + ")");
				running = true;
			}
			else {
				this.out.println("  " + name + ": stopped (see " + this.processes.logAsPrinted(name) + ")");
			}
		}
		if (!running) {
			this.out.println("nothing running (start with ./switchboard up)");
			return;
		}
		this.out.println();
		this.out.print(new RegistryView(REGISTRY.httpPort(1), this.state.adminPassword()).table());
	}

	/** Stops everything {@code up} started: components first, so they drain and deregister, then registry and auth. */
	public void down() {
		if (!Files.isDirectory(this.state.pids())) {
			this.out.println("nothing to stop");
			return;
		}
		List<String> names = this.processes.names();
		Map<Boolean, List<String>> core = names.stream()
			.collect(Collectors.partitioningBy((name) -> name.startsWith(REGISTRY.group())
					|| name.startsWith(AUTH.group())));
		this.processes.stopTogether(core.get(false));
		this.processes.stopTogether(core.get(true));
		this.processes.forgetAll();
		this.out.println("stopped");
	}

	private List<String> startNetworks(Layout layout, String secret, PlatformWiring wiring) {
		// the Python sample: every setting in its environment (the Java names, relaxed), its secret too
		PythonRuntime runtime = PythonRuntime.find();
		if (runtime.python().isEmpty()) {
			this.out.println("  network (Python sample): skipped, " + runtime.missing()
					+ "; the rest of the platform runs without it");
			return List.of();
		}
		if (secret == null) {
			this.out.println("  network (Python sample): skipped, .switchboard predates the network group (auth made "
					+ "no client for it);");
			this.out.println("    to get one: ./switchboard down, remove .switchboard, ./switchboard up");
			return List.of();
		}
		List<String> names = new ArrayList<>();
		for (int i = 1; i <= layout.networkReplicas(); i++) {
			String name = NETWORK.instance(i);
			Map<String, String> environment = new LinkedHashMap<>(
					NetworkSample.settings(name, secret, wiring, "127.0.0.1:" + ROUTER.grpcPort(1)));
			environment.putAll(NetworkSample.runtime(this.checkout));
			this.processes.start(name, NetworkSample.command(runtime.python().get(), this.checkout), environment);
			names.add(name);
		}
		return names;
	}

	/** The ports of replica {@code replica}: its gRPC port (a sample's: any free one) and its HTTP port. */
	private static List<String> portArguments(PlatformService service, int replica) {
		return List.of("--spring.grpc.server.port=" + service.grpcPort(replica),
				"--server.port=" + service.httpPort(replica));
	}

	/**
	 * With none of ours running, a listener on a fixed port is someone else's (a platform whose state folder is gone,
	 * say), which would answer our health checks: stop rather than start beside it.
	 */
	private void refuseForeignPorts(List<Integer> ports) {
		if (this.processes.anyRunning()) {
			return;
		}
		for (int port : ports) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
				throw new LauncherException("port " + port
						+ " on 127.0.0.1 is taken by a process this launcher did not start; stop it first");
			}
			catch (IOException ex) {
				// nothing listens: free
			}
		}
	}

	private void printWhere(Layout layout, String registries, String tokenUris) {
		if (Files.isRegularFile(this.state.credentialsFile())) {
			this.out.println("Clients (secrets in .switchboard/credentials.env and .switchboard/clients.env):");
			try {
				Files.readAllLines(this.state.credentialsFile())
					.stream()
					.filter((line) -> line.contains("_CLIENT_ID="))
					.forEach((line) -> this.out.println("  " + line));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.out.println("  one per group: " + String.join(" ", PlatformService.groups()));
		}
		int replicas = layout.coreReplicas();
		String routers = String.join(", ", addresses(replicas, (n) -> "127.0.0.1:" + ROUTER.grpcPort(n)));
		String authGrpc = String.join(", ", addresses(replicas, (n) -> "127.0.0.1:" + AUTH.grpcPort(n)));
		int router = ROUTER.grpcPort(1);
		this.out.print("""

				Router:    gRPC %1$s (plaintext front door); forwards any call with a token that allows it; actuator http://127.0.0.1:%2$d/actuator
				Registry:  gRPC %3$s (TLS); actuator http://127.0.0.1:%4$d/actuator
				Auth:      gRPC %5$s (TLS); OAuth2 token endpoint %6$s; platform CA http://127.0.0.1:%7$d/ca
				Dashboard: http://127.0.0.1:%8$d (Spring Boot Admin with the platform view)
				User for the dashboard and every actuator endpoint: admin / $(cat .switchboard/admin.password)
				Every internal hop is mutual TLS with certificates from the platform CA (.switchboard/ca.pem); components take
				calls from the router only.

				Try it (list/describe/call need no protos: they use server reflection through the router):
				  TOKEN=$(./switchboard token demo)
				  ./switchboard list 127.0.0.1:%9$d -H "authorization: Bearer $TOKEN"
				  ./switchboard call 127.0.0.1:%9$d switchboard.sample.compute.v1.Compute/CreateServer '{"name":"web-1","flavor":"m1.small","image":"debian-12"}' -H "authorization: Bearer $TOKEN"
				  ./switchboard call 127.0.0.1:%9$d switchboard.sample.compute.v1.Compute/ListServers -H "authorization: Bearer $TOKEN" -H 'x-switchboard-instance: compute-1'
				  # compute (Java) asks network (Python) for a port, network asks compute about the server: both through the router
				  ./switchboard call 127.0.0.1:%9$d switchboard.sample.compute.v1.Compute/CreateServer '{"name":"web-2","flavor":"m1.small","image":"debian-12","networks":["private"]}' -H "authorization: Bearer $TOKEN"
				  curl -u admin:$(cat .switchboard/admin.password) http://127.0.0.1:%2$d/actuator/routes
				Stop everything with: ./switchboard down
				""".formatted(routers, ROUTER.httpPort(1), registries.replace(",", ", "), REGISTRY.httpPort(1), authGrpc,
				tokenUris.replace(",", ", "), AUTH.httpPort(1), DASHBOARD.httpPort(1), router));
	}

	private static List<String> addresses(int replicas, IntFunction<String> address) {
		return IntStream.rangeClosed(1, replicas).mapToObj(address).toList();
	}

	@SafeVarargs
	private static List<String> concat(List<String>... parts) {
		List<String> all = new ArrayList<>();
		for (List<String> part : parts) {
			all.addAll(part);
		}
		return all;
	}

	/** Starts a platform jar with the passwords every process gets and its own environment besides. */
	/**
	 * Starts the platform's JVMs on loopback, each wired into the platform ({@link PlatformWiring}: its group's client,
	 * the secret in the environment) with the admin and reader passwords, and named by its instance.
	 */
	private final class JavaStarter {

		private final String adminPassword;

		private final String readerPassword;

		private final Map<String, String> clientSecrets;

		private final PlatformWiring wiring;

		JavaStarter(String adminPassword, String readerPassword, Map<String, String> clientSecrets,
				PlatformWiring wiring) {
			this.adminPassword = adminPassword;
			this.readerPassword = readerPassword;
			this.clientSecrets = clientSecrets;
			this.wiring = wiring;
		}

		void start(String name, PlatformService service, List<String> jvmOptions, List<String> arguments,
				Map<String, String> environment) {
			Map<String, String> variables = new LinkedHashMap<>(
					JavaCommand.passwords(this.adminPassword, this.readerPassword));
			variables.putAll(PlatformWiring.environment(service, this.clientSecrets));
			variables.putAll(environment);
			List<String> args = concat(
					List.of("--management.endpoint.logfile.external-file=" + LocalPlatform.this.processes.log(name),
							"--spring.grpc.server.address=127.0.0.1", "--server.address=127.0.0.1",
							PlatformWiring.instanceArgument(service, name)),
					this.wiring.arguments(service), arguments);
			LocalPlatform.this.processes.start(name,
					JavaCommand.of(LocalPlatform.this.checkout, service, jvmOptions, args), variables);
		}

	}

}
