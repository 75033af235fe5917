package dev.switchboard.bench.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One platform jar running as a process on 127.0.0.1, as an operator would start it: the end-to-end tests and the
 * benchmarks both drive the platform through this. Output goes to {@code target/platform-logs/<name>.log} of the
 * calling module. Not thread-safe; one owner per process.
 */
public final class PlatformProcess implements AutoCloseable {

	private static final Path ROOT = findRoot();

	/** The admin password every process started here gets, for its actuator endpoints. */
	public static final String ADMIN_PASSWORD = "platform-" + Long.toHexString(System.nanoTime());

	/** The read-only actuator user's password every process started here gets, as the launcher gives it. */
	public static final String READER_PASSWORD = "reader-" + Long.toHexString(System.nanoTime());

	private static final String VERSION = System.getProperty("switchboard.version", "0.1.0-SNAPSHOT");

	/**
	 * The JVM options {@link #start(String, String, String, List)} gives every process: a small heap and C1 only, for
	 * a quick start on two cores, as the {@code switchboard} launcher runs them ({@code deploy/jvm/quick-start.options}).
	 */
	public static final List<String> QUICK_START_JVM = List.of(options("quick-start"));

	/** The router's JVM options, as the launcher and the compose image run it ({@code deploy/jvm/router.options}). */
	public static final List<String> ROUTER_JVM = List.of(options("router"));

	/**
	 * A registry replica's JVM options, as the launcher and the compose image run it
	 * ({@code deploy/jvm/registry.options}).
	 */
	public static final List<String> REGISTRY_JVM = List.of(options("registry"));

	private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final String name;

	private final Process process;

	private final int httpPort;

	private final Path log;

	private final CompletableFuture<Instant> exited = new CompletableFuture<>();

	private PlatformProcess(String name, Process process, int httpPort, Path log) {
		this.name = name;
		this.process = process;
		this.httpPort = httpPort;
		this.log = log;
		process.onExit().thenRun(() -> this.exited.complete(Instant.now()));
	}

	/**
	 * Starts {@code module}'s runnable jar with the {@link #QUICK_START_JVM quick-start JVM options} and Spring Boot
	 * arguments; the HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, String module, String artifact, List<String> arguments) {
		return start(name, module, artifact, QUICK_START_JVM, arguments);
	}

	/**
	 * Starts {@code module}'s runnable jar with these JVM options and Spring Boot arguments; the HTTP port is chosen
	 * here.
	 */
	public static PlatformProcess start(String name, String module, String artifact, List<String> jvmOptions,
			List<String> arguments) {
		return start(name, module, artifact, jvmOptions, arguments, Map.of());
	}

	/**
	 * Starts {@code module}'s runnable jar with the quick-start JVM options, Spring Boot arguments and environment
	 * variables (secrets go there, never on the command line); the HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, String module, String artifact, List<String> arguments,
			Map<String, String> environment) {
		return start(name, module, artifact, QUICK_START_JVM, arguments, environment);
	}

	/**
	 * Starts {@code module}'s runnable jar with these JVM options, Spring Boot arguments and environment variables;
	 * the admin password is in the environment too ({@code SPRING_SECURITY_USER_PASSWORD}), as the launcher passes
	 * it. The HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, String module, String artifact, List<String> jvmOptions,
			List<String> arguments, Map<String, String> environment) {
		Path jar = ROOT.resolve(module).resolve("target").resolve(artifact + "-" + VERSION + "-exec.jar");
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: build with 'mvn package' first");
		}
		int httpPort = freePort();
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + httpPort));
		command.addAll(arguments);
		Map<String, String> variables = new HashMap<>(environment);
		variables.put("SPRING_SECURITY_USER_PASSWORD", ADMIN_PASSWORD);
		variables.put("SWITCHBOARD_MANAGEMENT_READERPASSWORD", READER_PASSWORD);
		return run(name, command, variables, httpPort);
	}

	/**
	 * Runs {@code command} as a platform process whose actuator answers on {@code httpPort}; its output goes to
	 * {@code target/platform-logs/<name>.log}.
	 */
	public static PlatformProcess run(String name, List<String> command, int httpPort) {
		return run(name, command, Map.of(), httpPort);
	}

	/**
	 * Runs {@code command} with these environment variables added as a platform process whose actuator answers on
	 * {@code httpPort}; its output goes to {@code target/platform-logs/<name>.log}.
	 */
	public static PlatformProcess run(String name, List<String> command, Map<String, String> environment,
			int httpPort) {
		try {
			Path logs = Path.of("target", "platform-logs");
			Files.createDirectories(logs);
			Path log = logs.resolve(name + ".log");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
			builder.environment().putAll(environment);
			Process process = builder.start();
			return new PlatformProcess(name, process, httpPort, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The checkout's root: where the {@code switchboard} launcher and the parent pom are. */
	public static Path root() {
		return ROOT;
	}

	/** The argument file {@code deploy/jvm/<name>.options}, as a java command-line option. */
	private static String options(String name) {
		return "@" + ROOT.resolve("deploy/jvm/" + name + ".options");
	}

	/**
	 * Returns a port free now, below the kernel's ephemeral range (32768 and up on Linux), so that a process binding
	 * port 0 meanwhile cannot be handed it; never the same port twice in this JVM.
	 */
	public static int freePort() {
		for (int attempt = 0; attempt < 1000; attempt++) {
			int port = 20000 + ThreadLocalRandom.current().nextInt(12000);
			if (!handedOut.add(port)) {
				continue;
			}
			try (ServerSocket socket = new ServerSocket(port)) {
				return port;
			}
			catch (IOException ex) {
				// taken: try another
			}
		}
		throw new UncheckedIOException(new IOException("no free port found in 20000-31999"));
	}

	public String name() {
		return this.name;
	}

	public int httpPort() {
		return this.httpPort;
	}

	public long pid() {
		return this.process.pid();
	}

	/** Waits until {@code /actuator/health} answers UP. */
	public void awaitHealthy(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited with " + this.process.exitValue() + "; see "
						+ this.log);
			}
			try {
				HttpResponse<String> response = http.send(HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/actuator/health"))
					.timeout(Duration.ofSeconds(1))
					.build(), HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			sleep(200);
		}
		throw new IllegalStateException(this.name + " not healthy after " + timeout + "; see " + this.log);
	}

	/** Asks the process to stop (SIGTERM), as an orchestrator would. */
	public void terminate() {
		this.process.destroy();
	}

	/** Kills the process at once (SIGKILL): no drain, no goodbye. */
	public void kill() {
		this.process.destroyForcibly();
	}

	/** Returns when the process was seen to exit. */
	public Instant awaitExit(Duration timeout) throws Exception {
		return this.exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public String log() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "";
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** The checkout's root: where the {@code switchboard} launcher and the parent pom are. */
	private static Path findRoot() {
		String configured = System.getProperty("switchboard.root");
		if (configured != null) {
			return Path.of(configured);
		}
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("switchboard")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
				return dir;
			}
		}
		return Path.of("").toAbsolutePath();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
