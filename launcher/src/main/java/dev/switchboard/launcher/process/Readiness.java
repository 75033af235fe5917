package dev.switchboard.launcher.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.switchboard.launcher.LauncherException;

import static java.util.Objects.requireNonNull;

/**
 * Waits for a launched process to be ready, and stops the wait with the process's log named when it exits first or
 * takes longer than {@link #TIMEOUT}. Blocks the calling thread; thread-safe.
 */
public final class Readiness {

	/** How long a process may take to become ready. */
	public static final Duration TIMEOUT = Duration.ofSeconds(120);

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private final LaunchedProcesses processes;

	public Readiness(LaunchedProcesses processes) {
		this.processes = requireNonNull(processes, "processes");
	}

	/** Until {@code http://127.0.0.1:<httpPort>/actuator/health} answers UP. */
	public void awaitHealthy(String name, int httpPort) {
		await(name, "not healthy", () -> isHealthy(httpPort));
	}

	/** Until process {@code name} has written {@code file}. */
	public void awaitFile(String name, Path file) {
		await(name, "wrote no " + file, () -> size(file) > 0);
	}

	/** Until {@code ready} holds, a component without an actuator being up once the registry lists it, say. */
	public void await(String name, String failure, BooleanSupplier ready) {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!ready.getAsBoolean()) {
			if (!this.processes.isRunning(name)) {
				throw new LauncherException(name + " exited; see " + this.processes.logAsPrinted(name) + lastLine(name));
			}
			if (System.nanoTime() > deadline) {
				throw new LauncherException(name + " " + failure + " after " + TIMEOUT.toSeconds() + " s; see "
						+ this.processes.logAsPrinted(name));
			}
			Sleep.millis(300);
		}
	}

	/** Whether an actuator on {@code httpPort} reports UP. */
	public static boolean isHealthy(int httpPort) {
		try {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health"))
						.timeout(Duration.ofSeconds(2))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			return response.statusCode() == 200 && response.body().contains("\"UP\"");
		}
		catch (IOException ex) {
			// not listening yet
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

	private String lastLine(String name) {
		try {
			var lines = Files.readAllLines(this.processes.log(name));
			return lines.isEmpty() ? "" : ": " + lines.getLast();
		}
		catch (IOException ex) {
			return "";
		}
	}

	private static long size(Path file) {
		try {
			return Files.exists(file) ? Files.size(file) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

}
