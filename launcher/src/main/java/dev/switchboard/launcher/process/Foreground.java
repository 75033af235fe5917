package dev.switchboard.launcher.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.LauncherException;

/**
 * Runs a tool in the foreground as if the launcher had handed over to it: same terminal (standard input, output and
 * error), the JDK the launcher runs on as {@code JAVA_HOME} and first on the {@code PATH}. Blocks until it exits.
 */
public final class Foreground {

	private Foreground() {
	}

	/** Runs {@code command} in {@code directory} with these variables added; returns its exit status. */
	public static int run(List<String> command, Path directory, Map<String, String> environment) {
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).inheritIO();
		String javaHome = System.getProperty("java.home");
		builder.environment().put("JAVA_HOME", javaHome);
		builder.environment().merge("PATH", javaHome + "/bin", (path, jdk) -> jdk + ":" + path);
		builder.environment().putAll(environment);
		try {
			return builder.start().waitFor();
		}
		catch (IOException ex) {
			throw new LauncherException("could not run " + command.getFirst() + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
