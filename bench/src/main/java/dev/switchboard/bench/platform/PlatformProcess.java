package dev.switchboard.bench.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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

import dev.switchboard.launcher.process.JavaCommand;
import dev.switchboard.launcher.process.Readiness;
import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.launcher.topology.JvmSettings;
import dev.switchboard.launcher.topology.PlatformService;

/**
 * One platform jar running as a process on 127.0.0.1, as an operator would start it: the end-to-end tests and the
 * benchmarks both drive the platform through this. Output goes to {@code target/platform-logs/<name>.log} of the
 * calling module. Not thread-safe; one owner per process.
 */
public final class PlatformProcess implements AutoCloseable {

	private static final Checkout CHECKOUT = Checkout.current();

	/** The admin password every process started here gets, for its actuator endpoints. */
	public static final String ADMIN_PASSWORD = "platform-" + Long.toHexString(System.nanoTime());

	/** The read-only actuator user's password every process started here gets, as the launcher gives it. */
	public static final String READER_PASSWORD = "reader-" + Long.toHexString(System.nanoTime());

	/**
	 * The JVM options {@link #start(String, PlatformService, List)} gives every process: a small heap and C1 only, for
	 * a quick start on two cores, as the launcher runs every process but the router and the registry
	 * ({@link JvmSettings#QUICK_START}).
	 */
	public static final List<String> QUICK_START_JVM = JvmSettings.QUICK_START.options(CHECKOUT.root());

	/** The router's JVM options, as the launcher and the compose image run it ({@link JvmSettings#ROUTER}). */
	public static final List<String> ROUTER_JVM = JvmSettings.ROUTER.options(CHECKOUT.root());

	/** A registry replica's JVM options, as the launcher and the compose image run it ({@link JvmSettings#REGISTRY}). */
	public static final List<String> REGISTRY_JVM = JvmSettings.REGISTRY.options(CHECKOUT.root());

	private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

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
	 * Starts {@code service}'s runnable jar with the {@link #QUICK_START_JVM quick-start JVM options} and Spring Boot
	 * arguments; the HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, PlatformService service, List<String> arguments) {
		return start(name, service, QUICK_START_JVM, arguments);
	}

	/**
	 * Starts {@code service}'s runnable jar with these JVM options and Spring Boot arguments; the HTTP port is chosen
	 * here.
	 */
	public static PlatformProcess start(String name, PlatformService service, List<String> jvmOptions,
			List<String> arguments) {
		return start(name, service, jvmOptions, arguments, Map.of());
	}

	/**
	 * Starts {@code service}'s runnable jar with the quick-start JVM options, Spring Boot arguments and environment
	 * variables (secrets go there, never on the command line); the HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, PlatformService service, List<String> arguments,
			Map<String, String> environment) {
		return start(name, service, QUICK_START_JVM, arguments, environment);
	}

	/**
	 * Starts {@code service}'s runnable jar (where the launcher finds it) with these JVM options, Spring Boot
	 * arguments and environment variables; the admin and reader passwords are in the environment too, as the launcher
	 * passes them. The HTTP port is chosen here.
	 */
	public static PlatformProcess start(String name, PlatformService service, List<String> jvmOptions,
			List<String> arguments, Map<String, String> environment) {
		return start(name, service, jvmOptions, arguments, environment, freePort());
	}

	/** As {@link #start(String, PlatformService, List, List, Map)}, on an HTTP port chosen by the caller. */
	public static PlatformProcess start(String name, PlatformService service, List<String> jvmOptions,
			List<String> arguments, Map<String, String> environment, int httpPort) {
		List<String> springArguments = new ArrayList<>();
		springArguments.add("--server.port=" + httpPort);
		springArguments.addAll(arguments);
		List<String> command = JavaCommand.of(CHECKOUT, service, jvmOptions, List.of(), springArguments);
		Map<String, String> variables = new HashMap<>(environment);
		variables.putAll(JavaCommand.passwords(ADMIN_PASSWORD, READER_PASSWORD));
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
		return CHECKOUT.root();
	}

	/** The checkout the processes' jars are built in. */
	public static Checkout checkout() {
		return CHECKOUT;
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
			if (Readiness.isHealthy(this.httpPort)) {
				return;
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

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
