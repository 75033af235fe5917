package dev.switchboard.launcher.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * A Switchboard checkout: where the jars it builds are, the JVM argument files, the Python sample. The version the
 * jars carry is the build's, filtered into this module's resources. Immutable.
 */
public final class Checkout {

	private static final String VERSION = readVersion();

	private final Path root;

	private Checkout(Path root) {
		this.root = root;
	}

	/** The checkout at {@code root}. */
	public static Checkout at(Path root) {
		return new Checkout(requireNonNull(root, "root").toAbsolutePath().normalize());
	}

	/**
	 * The checkout this JVM works in: the system property {@code switchboard.root} (which {@code ./switchboard} and
	 * the test runs set), else the nearest folder up from the working directory that holds {@code switchboard} and
	 * {@code pom.xml}.
	 */
	public static Checkout current() {
		String configured = System.getProperty("switchboard.root");
		if (configured != null) {
			return at(Path.of(configured));
		}
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("switchboard")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
				return at(dir);
			}
		}
		throw new IllegalStateException("not in a Switchboard checkout (no switchboard and pom.xml above "
				+ Path.of("").toAbsolutePath() + "); set -Dswitchboard.root");
	}

	/** The version of the jars this launcher was built with. */
	public static String version() {
		return VERSION;
	}

	public Path root() {
		return this.root;
	}

	/** The runnable jar of {@code service}. */
	public Path jar(PlatformService service) {
		return jar(service.module(), service.artifact());
	}

	/** The reflection client's runnable jar. */
	public Path cliJar() {
		return jar("cli", "switchboard-cli");
	}

	/** Every jar {@code up}, {@code admin} and the CLI commands run. */
	public List<Path> platformJars() {
		return List.of(jar(PlatformService.REGISTRY), jar(PlatformService.COMPUTE), jar(PlatformService.VOLUME),
				jar(PlatformService.ROUTER), cliJar(), jar(PlatformService.AUTH), jar(PlatformService.DASHBOARD));
	}

	/** The java options of {@code service}'s processes: its argument file and what this JDK needs. */
	public List<String> jvmOptions(PlatformService service) {
		return service.jvm().options(this.root);
	}

	/** The Python network sample's entry point. */
	public Path networkServer() {
		return this.root.resolve(PlatformService.NETWORK.module()).resolve("src/main/python/server.py");
	}

	/** The Python client package's folder, the network sample's {@code PYTHONPATH}. */
	public Path pythonClient() {
		return this.root.resolve("clients/python");
	}

	private Path jar(String module, String artifact) {
		return this.root.resolve(module).resolve("target").resolve(artifact + "-" + VERSION + "-exec.jar");
	}

	private static String readVersion() {
		Properties properties = new Properties();
		try (InputStream in = Checkout.class.getResourceAsStream("/switchboard-launcher.properties")) {
			if (in == null) {
				throw new IllegalStateException("switchboard-launcher.properties is missing from the class path");
			}
			properties.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return properties.getProperty("version");
	}

}
