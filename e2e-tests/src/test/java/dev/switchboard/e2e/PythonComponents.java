package dev.switchboard.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.switchboard.bench.platform.PlatformProcess;
import org.junit.jupiter.api.Assumptions;

/**
 * Python components as processes, run the way {@code ./switchboard up} runs the network sample: a python3 that can
 * import grpc (Debian's first), the client package from {@code clients/python} on {@code PYTHONPATH}, every setting
 * and the client secret in the environment, nothing on the command line.
 */
final class PythonComponents {

	/** The network sample's entry point. */
	static final Path NETWORK_SAMPLE = PlatformProcess.root()
		.resolve("sample-components/network/src/main/python/server.py");

	private static final String MISSING = "no python3 with grpcio and protobuf, or no openssl command (Debian: "
			+ "apt-get install python3-grpcio python3-protobuf openssl); ./switchboard test installs them";

	private PythonComponents() {
	}

	/**
	 * Returns {@code SWITCHBOARD_PYTHON} when it is set, else the first of {@code /usr/bin/python3} and {@code python3}
	 * on the PATH, if it can import grpc and protobuf, as the launcher picks it (a python3 earlier on the PATH, such as
	 * pyenv's, often cannot); none without the {@code openssl} command, which the client makes its keys with.
	 */
	static Optional<String> find() {
		if (!onPath("openssl")) {
			return Optional.empty();
		}
		String configured = System.getenv("SWITCHBOARD_PYTHON");
		List<String> candidates = (configured != null && !configured.isBlank()) ? List.of(configured)
				: List.of("/usr/bin/python3", "python3");
		for (String candidate : candidates) {
			try {
				Process probe = new ProcessBuilder(candidate, "-c", "import grpc, google.protobuf")
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
				if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
					return Optional.of(candidate);
				}
				probe.destroyForcibly();
			}
			catch (IOException ex) {
				// not installed there
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Optional.empty();
			}
		}
		return Optional.empty();
	}

	private static boolean onPath(String command) {
		return List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
			.stream()
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, command)));
	}

	/**
	 * Returns the interpreter {@link #find()} finds; without one the calling test is skipped with the reason, or fails
	 * under {@code SWITCHBOARD_REQUIRE_TOOLS=1} (set by {@code ./switchboard test}, which installs it).
	 */
	static String interpreter() {
		Optional<String> python = find();
		if (python.isEmpty()) {
			if ("1".equals(System.getenv("SWITCHBOARD_REQUIRE_TOOLS"))) {
				throw new AssertionError(MISSING);
			}
			// the report of a class aborted before its first test names no reason: say it where the build shows it
			System.err.println("Python component tests skipped: " + MISSING);
			Assumptions.abort("Python component tests skipped: " + MISSING);
		}
		return python.get();
	}

	/**
	 * The settings of network replica {@code instance} on a platform of loopback ports, as the launcher sets them: its
	 * client and secret, the token endpoint, the registry, the CA and its trust bundle, the router it calls compute
	 * through (plaintext, as the launcher's).
	 */
	static Map<String, String> networkEnvironment(String instance, String secret, String tokenUri, int registryGrpc,
			Path trustBundle, int authGrpc, int routerGrpc) {
		Map<String, String> environment = new HashMap<>();
		environment.put("SWITCHBOARD_COMPONENT_CREDENTIALS_CLIENTID", "network");
		environment.put("SWITCHBOARD_COMPONENT_CREDENTIALS_CLIENTSECRET", secret);
		environment.put("SWITCHBOARD_COMPONENT_CREDENTIALS_TOKENURI", tokenUri);
		environment.put("SWITCHBOARD_COMPONENT_REGISTRY_ADDRESSES", "127.0.0.1:" + registryGrpc);
		environment.put("SWITCHBOARD_COMPONENT_INSTANCEID", instance);
		environment.put("SWITCHBOARD_COMPONENT_HOST", "127.0.0.1");
		environment.put("SWITCHBOARD_IDENTITY_TRUSTBUNDLE", trustBundle.toString());
		environment.put("SWITCHBOARD_IDENTITY_CAADDRESSES", "127.0.0.1:" + authGrpc);
		environment.put("SPRING_GRPC_SERVER_ADDRESS", "127.0.0.1");
		environment.put("SPRING_GRPC_SERVER_PORT", "0");
		environment.put("SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS", "127.0.0.1:" + routerGrpc);
		environment.put("SWITCHBOARD_GRPC_CLIENTS_ROUTER_TLS_ENABLED", "false");
		return environment;
	}

	/**
	 * Starts the network sample with {@code python} and these variables (settings and secret); its output goes to
	 * {@code target/platform-logs/<name>.log}. It has no actuator: wait for it in the registry.
	 */
	static PlatformProcess startNetwork(String python, String name, Map<String, String> environment) {
		Map<String, String> variables = new HashMap<>(environment);
		variables.put("PYTHONPATH", PlatformProcess.root().resolve("clients/python").toString());
		variables.put("PYTHONDONTWRITEBYTECODE", "1");
		variables.put("PYTHONUNBUFFERED", "1");
		return PlatformProcess.run(name, List.of(python, NETWORK_SAMPLE.toString()), variables, 0);
	}

}
