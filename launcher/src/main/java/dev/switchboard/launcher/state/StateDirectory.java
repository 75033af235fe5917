package dev.switchboard.launcher.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The folder a local platform keeps its state in ({@code .switchboard/}): the passwords and client secrets the
 * launcher makes, the files auth writes (its database, {@code ca.pem}, {@code credentials.env}), pid files and logs.
 * Everything made here is readable by its owner only. Secrets are made once and kept, so a platform started again
 * finds the clients its database holds. Not thread-safe; one launcher at a time.
 */
public final class StateDirectory {

	private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

	private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

	private static final SecureRandom random = new SecureRandom();

	private final Path path;

	private StateDirectory(Path path) {
		this.path = path;
	}

	/** The state folder at {@code path}; nothing is created until something is written. */
	public static StateDirectory at(Path path) {
		return new StateDirectory(requireNonNull(path, "path").toAbsolutePath().normalize());
	}

	public Path path() {
		return this.path;
	}

	public Path logs() {
		return this.path.resolve("logs");
	}

	public Path pids() {
		return this.path.resolve("pids");
	}

	/** The trust bundle auth writes: the platform CA every process trusts. */
	public Path trustBundle() {
		return this.path.resolve("ca.pem");
	}

	/** Auth's data folder (its H2 database, its CA key). */
	public Path authData() {
		return this.path.resolve("auth");
	}

	/** The bootstrap clients' ids and secrets (admin, demo), written by auth. */
	public Path credentialsFile() {
		return this.path.resolve("credentials.env");
	}

	/** The group clients' secrets, made here; auth creates the clients from it in an empty database. */
	public Path clientsFile() {
		return this.path.resolve("clients.env");
	}

	/** Whether auth has created its database, after which it creates no more group clients. */
	public boolean hasAuthDatabase() {
		return Files.exists(authData().resolve("auth.mv.db"));
	}

	/** Creates the folder, its logs and pid folders, owner-only. */
	public void create() {
		directory(this.path);
		directory(logs());
		directory(pids());
	}

	/** The admin user's password of every actuator and the dashboard, made on first use. */
	public String adminPassword() {
		return secretFile(this.path.resolve("admin.password"), 18);
	}

	/** The read-only actuator user's password, the same on every process: the dashboard reads with it. */
	public String readerPassword() {
		return secretFile(this.path.resolve("reader.password"), 18);
	}

	/** What a registry replica must know to join the others (Hazelcast's member protocol has no login). */
	public String clusterSecret() {
		return secretFile(this.path.resolve("registry-cluster.secret"), 24);
	}

	/**
	 * The embedded H2 database's own password (in {@code --ha} its auto-server answers on a TCP port), or empty for
	 * a database made before it had one, which keeps an empty one.
	 */
	public String databasePassword() {
		Path file = authData().resolve("db.password");
		if (!Files.exists(file) && hasAuthDatabase()) {
			return "";
		}
		directory(authData());
		return secretFile(file, 18);
	}

	/**
	 * The group clients' secrets, made now for the groups in {@code groups} that have none, unless auth's database
	 * exists already (auth creates the group clients only in an empty database, so a group newer than the database
	 * gets no client and no secret). Keyed by group.
	 */
	public Map<String, String> clientSecrets(List<String> groups) {
		Map<String, String> file = EnvFile.readIfExists(clientsFile());
		StringBuilder added = new StringBuilder();
		for (String group : groups) {
			String variable = secretVariable(group);
			if (!file.containsKey(variable) && !hasAuthDatabase()) {
				String secret = randomSecret(24);
				file.put(variable, secret);
				added.append(variable).append('=').append(secret).append('\n');
			}
		}
		if (!added.isEmpty()) {
			directory(this.path);
			append(clientsFile(), added.toString());
		}
		Map<String, String> secrets = new LinkedHashMap<>();
		for (String group : groups) {
			String secret = file.get(secretVariable(group));
			if (secret != null && !secret.isEmpty()) {
				secrets.put(group, secret);
			}
		}
		return secrets;
	}

	/** The variable a group client's secret goes by in {@code clients.env}: {@code SWITCHBOARD_<GROUP>_CLIENT_SECRET}. */
	public static String secretVariable(String group) {
		return "SWITCHBOARD_" + group.toUpperCase(Locale.ROOT) + "_CLIENT_SECRET";
	}

	/**
	 * A random secret of {@code bytes} bytes as Base64 without {@code / + =}, so it needs no quoting in an env file, a
	 * URL or a shell.
	 */
	public static String randomSecret(int bytes) {
		byte[] raw = new byte[bytes];
		random.nextBytes(raw);
		return Base64.getEncoder().encodeToString(raw).replaceAll("[/+=]", "");
	}

	/** Creates {@code file} with {@code text}, readable by its owner only; an existing file is replaced. */
	public static void writeOwnerOnly(Path file, String text) {
		try {
			Files.deleteIfExists(file);
			Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
			Files.writeString(file, text);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Creates {@code dir} and its parents if missing, and makes it owner-only. */
	public static void directory(Path dir) {
		try {
			Files.createDirectories(dir);
			Files.setPosixFilePermissions(dir, OWNER_DIR);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private String secretFile(Path file, int bytes) {
		try {
			if (Files.exists(file) && Files.size(file) > 0) {
				return Files.readString(file).trim();
			}
			directory(file.getParent());
			String secret = randomSecret(bytes);
			writeOwnerOnly(file, secret + "\n");
			return secret;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void append(Path file, String text) {
		try {
			if (!Files.exists(file)) {
				Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
			}
			Files.writeString(file, text, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
