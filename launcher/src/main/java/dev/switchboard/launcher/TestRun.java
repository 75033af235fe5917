package dev.switchboard.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.process.Executables;
import dev.switchboard.launcher.process.Foreground;
import dev.switchboard.launcher.topology.Checkout;

/**
 * {@code ./switchboard test}: installs what the tests use (Debian packages) when it is missing, runs every Maven test,
 * then the Python client's.
 */
final class TestRun {

	private TestRun() {
	}

	static int run(Checkout checkout, List<String> mavenArgs) {
		ensureTools();
		// the tests that need the tools fail rather than skip when they are missing
		Map<String, String> required = Map.of("SWITCHBOARD_REQUIRE_TOOLS", "1", "SWITCHBOARD_REQUIRE_BROWSER", "1");
		// built before Maven runs: the build rewrites this launcher's jar, so nothing is loaded from it after
		List<String> pytest = List.of("/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider");
		Map<String, String> python = Map.of("PYTHONDONTWRITEBYTECODE", "1");
		List<String> maven = new ArrayList<>(List.of("mvn", "-B", "-ntp", "verify"));
		maven.addAll(mavenArgs);
		int status = Foreground.run(maven, checkout.root(), required);
		if (status != 0) {
			return status;
		}
		// the Python client against in-process fakes (clients/python/README.md)
		return Foreground.run(pytest, checkout.pythonClient(), python);
	}

	/** Installs the test tools that are missing, with apt-get (through sudo unless root). */
	private static void ensureTools() {
		List<String> missing = new ArrayList<>();
		if (Executables.onPath("promtool").isEmpty()) {
			missing.add("prometheus");
		}
		if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
			missing.add("chromium");
		}
		if (!Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
			missing.add("chromium-driver");
		}
		// the Python client's tests: Debian's grpcio and protobuf, pytest, and the openssl command it makes keys with
		if (!python("import grpc, google.protobuf")) {
			missing.addAll(List.of("python3-grpcio", "python3-protobuf"));
		}
		if (!python("import pytest")) {
			missing.add("python3-pytest");
		}
		if (Executables.onPath("openssl").isEmpty()) {
			missing.add("openssl");
		}
		if (missing.isEmpty()) {
			return;
		}
		System.out.println("Installing test tools: " + String.join(" ", missing));
		List<String> sudo = new com.sun.security.auth.module.UnixSystem().getUid() == 0 ? List.of()
				: List.of("sudo");
		List<String> update = new ArrayList<>(sudo);
		update.addAll(List.of("apt-get", "update", "-qq"));
		List<String> install = new ArrayList<>(sudo);
		install.addAll(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
		install.addAll(missing);
		if (quietly(update, Map.of()) != 0
				|| quietly(install, Map.of("DEBIAN_FRONTEND", "noninteractive")) != 0) {
			throw new LauncherException("could not install " + String.join(" ", missing) + " (apt-get)");
		}
	}

	private static boolean python(String code) {
		return quietly(List.of("/usr/bin/python3", "-c", code), Map.of()) == 0;
	}

	private static int quietly(List<String> command, Map<String, String> environment) {
		ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.environment().putAll(environment);
		try {
			return builder.start().waitFor();
		}
		catch (IOException ex) {
			return 127;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
