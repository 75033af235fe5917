package dev.switchboard.bench.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.state.StateDirectory;
import dev.switchboard.launcher.topology.PlatformClient;

/**
 * The credentials of a platform that tests and benchmarks start with identity on, as {@code ./switchboard up} makes
 * them: one client per group with a random secret in {@code clients.env} (mode 600) that auth's bootstrap creates,
 * the secrets handed to processes in their environment, and the trust bundle auth writes to {@code ca.pem}. Not
 * thread-safe.
 */
public final class PlatformSecrets {

	/** The groups that get a client of their own. */
	public static final List<String> GROUPS = List.of("auth", "registry", "router", "compute", "volume", "dashboard");

	private final Path state;

	private final Map<String, String> secrets;

	private PlatformSecrets(Path state, Map<String, String> secrets) {
		this.state = state;
		this.secrets = secrets;
	}

	/**
	 * Makes a secret for every group and writes them to {@code <state>/clients.env}, readable by its owner only, as
	 * the launcher makes them ({@link StateDirectory#clientSecrets}); a {@code clients.env} there is replaced.
	 */
	public static PlatformSecrets create(Path state) {
		try {
			Files.deleteIfExists(state.resolve("clients.env"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new PlatformSecrets(state, StateDirectory.at(state).clientSecrets(GROUPS));
	}

	/** The secret of the client of {@code group}, whose id is the group's name. */
	public String secret(String group) {
		String secret = this.secrets.get(group);
		if (secret == null) {
			throw new IllegalArgumentException("no client for group " + group);
		}
		return secret;
	}

	/** The platform's trust bundle, written by auth. */
	public Path trustBundle() {
		return this.state.resolve("ca.pem");
	}

	/** The arguments auth needs to create the group clients and publish its trust bundle. */
	public List<String> authArguments() {
		return List.of("--switchboard.auth.bootstrap.group-secrets-file=" + this.state.resolve("clients.env"),
				"--switchboard.auth.ca.bundle-file=" + trustBundle());
	}

	/** The environment of a process of {@code group}: its client secret. */
	public Map<String, String> clientEnvironment(String group) {
		return Map.of(PlatformClient.SECRET_VARIABLE, secret(group));
	}

	/** Waits until auth has written the trust bundle, so processes that read it at start can be started. */
	public void awaitTrustBundle(PlatformProcess auth, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!Files.isRegularFile(trustBundle()) || size(trustBundle()) == 0) {
			if (!auth.isAlive()) {
				throw new IllegalStateException(auth.name() + " exited before writing " + trustBundle());
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(auth.name() + " wrote no " + trustBundle() + " within " + timeout);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return 0;
		}
	}

}
