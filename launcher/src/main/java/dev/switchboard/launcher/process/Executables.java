package dev.switchboard.launcher.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds commands the way a shell does. */
public final class Executables {

	private Executables() {
	}

	/** The first executable {@code command} in a folder of the {@code PATH}. */
	public static Optional<Path> onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String dir : path.split(":")) {
			Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
			if (Files.isExecutable(candidate)) {
				return Optional.of(candidate);
			}
		}
		return Optional.empty();
	}

}
