package dev.switchboard.e2e.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * External tools the deployment checks run, such as {@code promtool}. {@code ./switchboard test} installs them and
 * sets {@code SWITCHBOARD_REQUIRE_TOOLS=1}, so there a missing tool fails the test; a bare {@code mvn verify} on a
 * machine without them skips the check with a message saying how to get it.
 */
final class Tools {

	private Tools() {
	}

	/** Runs {@code command} (its first word found on the PATH) and asserts it exits 0 within a minute. */
	static String run(List<String> command) throws IOException, InterruptedException {
		String tool = command.get(0);
		boolean present = List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
			.stream()
			.anyMatch((dir) -> Files.isExecutable(Path.of(dir, tool)));
		if (!present) {
			String message = tool + " is not installed (Debian: apt-get install prometheus); ./switchboard test "
					+ "installs it";
			if ("1".equals(System.getenv("SWITCHBOARD_REQUIRE_TOOLS"))) {
				throw new AssertionError(message);
			}
			Assumptions.abort(message);
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		boolean exited = process.waitFor(1, TimeUnit.MINUTES);
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!exited) {
			process.destroyForcibly();
		}
		assertThat(exited).as(String.join(" ", command) + " finished").isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
		return output;
	}

}
