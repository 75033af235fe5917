package dev.switchboard.e2e.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.launcher.topology.PlatformService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's file layout and start command, replayed without Docker: the registry's jar is split into layers with
 * the command the Dockerfile runs, the layers are copied into one folder in the Dockerfile's order, and the
 * Dockerfile's ENTRYPOINT (with its JVM options) starts the service from there until it is healthy.
 */
class ImageLayoutIT {

	@TempDir
	Path work;

	@Test
	void theLayeredApplicationStartsWithTheImagesEntrypoint() throws Exception {
		List<String> dockerfile = Files.readAllLines(PlatformProcess.root().resolve("deploy/Dockerfile"));
		String java = ProcessHandle.current().info().command().orElse("java");

		Path layers = this.work.resolve("layers");
		Files.createDirectories(layers);
		Files.copy(PlatformProcess.checkout().jar(PlatformService.REGISTRY), layers.resolve("app.jar"));
		List<String> extract = new ArrayList<>(List.of(java));
		extract.addAll(words(line(dockerfile, "RUN java -Djarmode=tools").substring("RUN java ".length())));
		Process extraction = new ProcessBuilder(extract).directory(layers.toFile()).inheritIO().start();
		assertThat(extraction.waitFor()).isZero();

		Path app = this.work.resolve("app");
		Pattern copy = Pattern.compile("COPY --from=layers /layers/(\\S+)/ \\./");
		int copied = 0;
		for (String line : dockerfile) {
			Matcher layer = copy.matcher(line);
			if (layer.matches()) {
				copyTree(layers.resolve(layer.group(1)), app);
				copied++;
			}
		}
		assertThat(copied).isEqualTo(4);
		// the JVM settings file the image's entrypoint reads (the default one: the registry is no router)
		Matcher jvmOptions = Pattern.compile("ARG JVM_OPTIONS=(\\S+)\nCOPY \\$\\{JVM_OPTIONS} /app/(\\S+)")
			.matcher(String.join("\n", dockerfile));
		assertThat(jvmOptions.find()).isTrue();
		Files.copy(PlatformProcess.root().resolve(jvmOptions.group(1)), app.resolve(jvmOptions.group(2)));

		List<String> command = new ArrayList<>(List.of(java));
		Matcher options = Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"").matcher(String.join("\n", dockerfile));
		assertThat(options.find()).isTrue();
		command.addAll(words(options.group(1)));
		Matcher entrypoint = Pattern.compile("ENTRYPOINT \\[\"java\", (.+)]").matcher(String.join("\n", dockerfile));
		assertThat(entrypoint.find()).isTrue();
		for (String argument : entrypoint.group(1).split(",\\s*")) {
			command.add(argument.replace("\"", "").replace("/app/", app + "/"));
		}
		int httpPort = PlatformProcess.freePort();
		command.addAll(List.of("--server.port=" + httpPort, "--spring.grpc.server.port=" + PlatformProcess.freePort(),
				"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
				"--switchboard.registry.auth.enabled=false", "--switchboard.identity.enabled=false",
				"--logging.file.name=" + app.resolve("logs/app.log")));
		try (PlatformProcess registry = PlatformProcess.run("image-layout-registry", command, httpPort)) {
			registry.awaitHealthy(Duration.ofSeconds(90));
		}
		assertThat(app.resolve("logs/app.log")).isNotEmptyFile();
	}

	private static String line(List<String> lines, String prefix) {
		return lines.stream().filter((line) -> line.startsWith(prefix)).findFirst().orElseThrow();
	}

	private static List<String> words(String text) {
		return List.of(text.trim().split("\\s+"));
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (var paths = Files.walk(from)) {
			for (Path path : paths.toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
				}
			}
		}
	}

}
