package dev.switchboard.launcher.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code NAME=value} files auth and the launcher share ({@code credentials.env}, {@code clients.env}): one
 * assignment a line, no quoting, {@code #} comments.
 */
public final class EnvFile {

	private EnvFile() {
	}

	/** The assignments of {@code file} in order; empty when it does not exist. */
	public static Map<String, String> readIfExists(Path file) {
		Map<String, String> values = new LinkedHashMap<>();
		if (!Files.exists(file)) {
			return values;
		}
		try {
			for (String line : Files.readAllLines(file)) {
				int equals = line.indexOf('=');
				if (!line.isBlank() && !line.startsWith("#") && equals > 0) {
					values.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return values;
	}

}
