package dev.switchboard.launcher.process;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.switchboard.launcher.LauncherException;
import dev.switchboard.launcher.state.StateDirectory;

import static java.util.Objects.requireNonNull;

/**
 * The processes a launcher started, outliving it: each has a pid file ({@code pids/<name>.pid}) and a log
 * ({@code logs/<name>.log}) in the state folder, so {@code status} and {@code down} find them from another run. A
 * process is detached from the launcher's terminal ({@code nohup}, standard input from {@code /dev/null}); its
 * settings and secrets reach it in its environment, never on its command line. Not thread-safe.
 */
public final class LaunchedProcesses {

	/** How long {@link #stopTogether} lets processes drain before it kills what is left. */
	public static final Duration DRAIN = Duration.ofSeconds(30);

	private final StateDirectory state;

	private final String logsAsPrinted;

	private final PrintStream out;

	/**
	 * @param logsAsPrinted the logs folder as messages name it (relative to the checkout when the state is in it)
	 * @param out where "started", "stopping" and such go
	 */
	public LaunchedProcesses(StateDirectory state, String logsAsPrinted, PrintStream out) {
		this.state = requireNonNull(state, "state");
		this.logsAsPrinted = requireNonNull(logsAsPrinted, "logsAsPrinted");
		this.out = requireNonNull(out, "out");
	}

	/** Where process {@code name}'s output goes, as messages name it. */
	public String logAsPrinted(String name) {
		return this.logsAsPrinted + "/" + name + ".log";
	}

	public Path log(String name) {
		return this.state.logs().resolve(name + ".log");
	}

	/**
	 * Starts {@code command} as process {@code name} with these environment variables added, unless a process of
	 * that name runs already; prints which.
	 */
	public void start(String name, List<String> command, Map<String, String> environment) {
		OptionalLong running = runningPid(name);
		if (running.isPresent()) {
			this.out.println("  " + name + " already running (pid " + running.getAsLong() + ")");
			return;
		}
		List<String> detached = new ArrayList<>();
		// nohup: a process outlives the terminal the launcher ran in, as a daemon would
		detached.add("nohup");
		detached.addAll(command);
		ProcessBuilder builder = new ProcessBuilder(detached).redirectErrorStream(true)
			.redirectOutput(log(name).toFile())
			.redirectInput(new File("/dev/null"));
		builder.environment().putAll(environment);
		try {
			Process process = builder.start();
			StateDirectory.writeOwnerOnly(pidFile(name), process.pid() + "\n");
			this.out.println("  started " + name + " (pid " + process.pid() + ", log " + logAsPrinted(name) + ")");
		}
		catch (IOException ex) {
			throw new LauncherException("could not start " + name + ": " + ex.getMessage(), ex);
		}
	}

	/** Whether process {@code name} was started here and still runs. */
	public boolean isRunning(String name) {
		return runningPid(name).isPresent();
	}

	/** The pid of process {@code name} if it runs. */
	public OptionalLong runningPid(String name) {
		OptionalLong pid = pid(name);
		if (pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
			return pid;
		}
		return OptionalLong.empty();
	}

	/** The names of every process with a pid file, running or not, sorted. */
	public List<String> names() {
		if (!Files.isDirectory(this.state.pids())) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(this.state.pids())) {
			return files.map((file) -> file.getFileName().toString())
				.filter((file) -> file.endsWith(".pid"))
				.map((file) -> file.substring(0, file.length() - ".pid".length()))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Whether any process started here still runs. */
	public boolean anyRunning() {
		return names().stream().anyMatch(this::isRunning);
	}

	/**
	 * Asks every running one of {@code names} to stop (SIGTERM) at once, so they drain together, waits for them, and
	 * kills (SIGKILL) what still runs after {@link #DRAIN}.
	 */
	public void stopTogether(List<String> names) {
		List<ProcessHandle> stopping = new ArrayList<>();
		for (String name : names) {
			Optional<ProcessHandle> handle = handle(name);
			if (handle.isPresent()) {
				this.out.println("  stopping " + name);
				handle.get().destroy();
				stopping.add(handle.get());
			}
		}
		long deadline = System.nanoTime() + DRAIN.toNanos();
		for (ProcessHandle process : stopping) {
			while (process.isAlive() && System.nanoTime() < deadline) {
				Sleep.millis(200);
			}
			if (process.isAlive()) {
				process.destroyForcibly();
			}
		}
	}

	/** Removes every pid file. */
	public void forgetAll() {
		for (String name : names()) {
			try {
				Files.deleteIfExists(pidFile(name));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private Optional<ProcessHandle> handle(String name) {
		OptionalLong pid = runningPid(name);
		return pid.isPresent() ? ProcessHandle.of(pid.getAsLong()) : Optional.empty();
	}

	private OptionalLong pid(String name) {
		Path file = pidFile(name);
		try {
			if (!Files.exists(file)) {
				return OptionalLong.empty();
			}
			return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
		}
		catch (IOException | NumberFormatException ex) {
			return OptionalLong.empty();
		}
	}

	private Path pidFile(String name) {
		return this.state.pids().resolve(name + ".pid");
	}

}
