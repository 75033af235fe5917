package dev.switchboard.e2e;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.launcher.platform.NetworkSample;
import dev.switchboard.launcher.platform.PythonRuntime;
import dev.switchboard.launcher.topology.PlatformWiring;
import org.junit.jupiter.api.Assumptions;

/**
 * Python components as processes, run the way {@code ./switchboard up} runs the network sample: a python3 that can
 * import grpc (Debian's first), the client package from {@code clients/python} on {@code PYTHONPATH}, every setting
 * and the client secret in the environment, nothing on the command line.
 */
final class PythonComponents {

	private static final String MISSING = "no python3 with grpcio and protobuf, or no openssl command (Debian: "
			+ "apt-get install python3-grpcio python3-protobuf openssl); ./switchboard test installs them";

	private PythonComponents() {
	}

	/** The python3 the launcher would run the network sample on ({@link PythonRuntime}), if there is one. */
	static Optional<String> find() {
		return PythonRuntime.find().python().map(Path::toString);
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
	 * client and secret, the rest of the platform's wiring, and the router it calls compute through (plaintext, as
	 * the launcher's).
	 */
	static Map<String, String> networkEnvironment(String instance, String secret, PlatformWiring wiring,
			int routerGrpc) {
		return new HashMap<>(NetworkSample.settings(instance, secret, wiring, "127.0.0.1:" + routerGrpc));
	}

	/**
	 * Starts the network sample with {@code python} and these variables (settings and secret); its output goes to
	 * {@code target/platform-logs/<name>.log}. It has no actuator: wait for it in the registry.
	 */
	static PlatformProcess startNetwork(String python, String name, Map<String, String> environment) {
		Map<String, String> variables = new HashMap<>(environment);
		variables.putAll(NetworkSample.runtime(PlatformProcess.checkout()));
		return PlatformProcess.run(name, NetworkSample.command(Path.of(python), PlatformProcess.checkout()), variables,
				0);
	}

}
