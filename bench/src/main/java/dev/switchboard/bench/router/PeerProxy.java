package dev.switchboard.bench.router;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.switchboard.bench.platform.ProcessStats;

/**
 * A peer gRPC proxy (HAProxy) in front of one replica, to compare the router with: configured from the recipe in
 * the design's build notes, started as a daemon with its own pid file in its own directory, stopped with
 * SIGTERM (SIGKILL after 5 s). Not thread-safe, except {@link #close()}, which may run again from a shutdown hook.
 */
public final class PeerProxy implements AutoCloseable {

	private static final long START_TIMEOUT_MILLIS = 10_000;

	private final String name;

	private final int port;

	private final Path pidFile;

	private final String executableName;

	private PeerProxy(String name, int port, Path pidFile, String executableName) {
		this.name = name;
		this.port = port;
		this.pidFile = pidFile;
		this.executableName = executableName;
	}

	/** Returns the executable's path when it is on the PATH (or in /usr/sbin, where Debian puts HAProxy). */
	public static Optional<Path> find(String executable) {
		List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
		dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
		return dirs.stream()
			.filter((dir) -> !dir.isEmpty())
			.map((dir) -> Path.of(dir, executable))
			.filter(Files::isExecutable)
			.findFirst();
	}

	/**
	 * Starts HAProxy 2.6 on {@code port} (h2 in, one thread) in front of {@code replicaPort} re-encrypting: mutual TLS
	 * to the replica with its own client certificate ({@code clientPem}: certificate and key), verifying the
	 * replica's against {@code caFile}.
	 */
	public static PeerProxy haproxyReencrypting(Path executable, Path dir, int port, int replicaPort, Path clientPem,
			Path caFile) throws IOException, InterruptedException {
		return haproxy(executable, dir, port, "server s1 127.0.0.1:%d ssl crt %s ca-file %s verify required alpn h2"
			.formatted(replicaPort, clientPem, caFile));
	}

	private static PeerProxy haproxy(Path executable, Path dir, int port, String server) throws IOException,
			InterruptedException {
		prepare(dir, "haproxy");
		Path config = dir.resolve("haproxy.cfg");
		Files.writeString(config, """
				global
				    nbthread 1
				    maxconn 4000
				defaults
				    mode http
				    timeout connect 5s
				    timeout client 300s
				    timeout server 300s
				frontend grpc_in
				    bind 127.0.0.1:%d proto h2
				    default_backend grpc_out
				backend grpc_out
				    %s
				""".formatted(port, server));
		Path pidFile = dir.resolve("haproxy.pid");
		run(dir, List.of(executable.toString(), "-c", "-f", config.toString()));
		run(dir, List.of(executable.toString(), "-f", config.toString(), "-D", "-p", pidFile.toString()));
		return new PeerProxy("haproxy", port, pidFile, "haproxy").awaitListening();
	}

	public int port() {
		return this.port;
	}

	/** Returns the daemon's processes: the one in the pid file and its children. */
	public List<Long> pids() {
		return pid().map(ProcessStats::tree).orElse(List.of());
	}

	/** Stops the daemon: SIGTERM, then SIGKILL to whatever is left after 5 s. Idempotent. */
	@Override
	public synchronized void close() {
		stop(this.pidFile, this.executableName);
	}

	private PeerProxy awaitListening() throws InterruptedException {
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		while (System.currentTimeMillis() < deadline) {
			if (pid().isPresent() && accepts(this.port)) {
				return this;
			}
			Thread.sleep(50);
		}
		close();
		throw new IllegalStateException(this.name + " is not listening on " + this.port + " after "
				+ START_TIMEOUT_MILLIS + " ms");
	}

	private Optional<Long> pid() {
		return readPid(this.pidFile);
	}

	/** Makes the directory and stops what a crashed earlier run may have left running from it. */
	private static void prepare(Path dir, String executableName) throws IOException {
		Files.createDirectories(dir);
		stop(dir.resolve(executableName + ".pid"), executableName);
	}

	private static void stop(Path pidFile, String executableName) {
		Optional<ProcessHandle> daemon = readPid(pidFile).flatMap(ProcessHandle::of)
			// a pid file left by an earlier run may name an unrelated process by now
			.filter((process) -> process.info().command().orElse("").endsWith(executableName));
		if (daemon.isEmpty()) {
			return;
		}
		List<ProcessHandle> processes = new ArrayList<>();
		processes.add(daemon.get());
		daemon.get().descendants().forEach(processes::add);
		daemon.get().destroy();
		long deadline = System.currentTimeMillis() + 5_000;
		for (ProcessHandle process : processes) {
			try {
				process.onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				process.destroyForcibly();
			}
		}
		try {
			Files.deleteIfExists(pidFile);
		}
		catch (IOException ex) {
			// the daemon may remove it itself on exit
		}
	}

	private static Optional<Long> readPid(Path pidFile) {
		try {
			String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
			return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text.split("\\s+")[0]));
		}
		catch (IOException | NumberFormatException ex) {
			return Optional.empty();
		}
	}

	/** Runs a command that daemonizes (or checks a config) and returns once it has exited OK. */
	private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
		Path output = dir.resolve("start.out");
		Process process = new ProcessBuilder(command).directory(dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		if (!process.waitFor(10, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " did not return within 10 s");
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
					+ Files.readString(output).strip());
		}
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public String toString() {
		return this.name + " on 127.0.0.1:" + this.port;
	}

}
