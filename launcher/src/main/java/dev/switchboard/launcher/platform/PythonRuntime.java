package dev.switchboard.launcher.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.switchboard.launcher.LauncherException;
import dev.switchboard.launcher.process.Executables;

/**
 * The python3 the Python sample runs on: one that can import grpcio and protobuf, with the {@code openssl} command
 * beside it (the client makes its keys and certificate requests with it). Debian's first: a python3 earlier on the
 * PATH (pyenv, a venv) often has no grpcio. {@code SWITCHBOARD_PYTHON}, when set, is the only one tried.
 */
public final class PythonRuntime {

	private final Path python;

	private final String missing;

	private PythonRuntime(Path python, String missing) {
		this.python = python;
		this.missing = missing;
	}

	/** Looks for one as described above. */
	public static PythonRuntime find() {
		List<Path> candidates = new ArrayList<>();
		String configured = System.getenv("SWITCHBOARD_PYTHON");
		if (configured != null && !configured.isBlank()) {
			candidates.add(Path.of(configured));
		}
		else {
			candidates.add(Path.of("/usr/bin/python3"));
			Executables.onPath("python3").ifPresent(candidates::add);
		}
		for (Path candidate : candidates) {
			if (Files.isExecutable(candidate) && imports(candidate)) {
				if (Executables.onPath("openssl").isEmpty()) {
					return new PythonRuntime(null, "no openssl command (apt-get install openssl)");
				}
				return new PythonRuntime(candidate, null);
			}
		}
		return new PythonRuntime(null,
				"no python3 with grpcio and protobuf (Debian: apt-get install python3-grpcio python3-protobuf)");
	}

	/** The interpreter, if one fits. */
	public Optional<Path> python() {
		return Optional.ofNullable(this.python);
	}

	/** Why there is none, when there is none. */
	public String missing() {
		return this.missing;
	}

	private static boolean imports(Path python) {
		try {
			Process check = new ProcessBuilder(python.toString(), "-c", "import grpc, google.protobuf")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!check.waitFor(30, TimeUnit.SECONDS)) {
				check.destroyForcibly();
				return false;
			}
			return check.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
