package dev.switchboard.auth.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.switchboard.auth.StartupException;

/**
 * The secrets chosen beforehand for the platform's group clients, as the launcher writes them to an env file:
 *
 * <pre>
 * SWITCHBOARD_ROUTER_CLIENT_SECRET=...
 * SWITCHBOARD_COMPUTE_CLIENT_SECRET=...
 * </pre>
 *
 * Blank lines, {@code #} comments, an {@code export } prefix and quotes around the value are allowed; other variables
 * are ignored. Each secret needs at least {@value #MIN_LENGTH} characters. Immutable; never shows a secret in
 * {@link #toString()} or in an error.
 */
public final class GroupSecrets {

	/** The shortest secret accepted. */
	public static final int MIN_LENGTH = 16;

	private static final GroupSecrets NONE = new GroupSecrets(Map.of());

	private static final String PREFIX = "SWITCHBOARD_";

	private static final String SUFFIX = "_CLIENT_SECRET";

	private final Map<String, String> secrets;

	private GroupSecrets(Map<String, String> secrets) {
		this.secrets = secrets;
	}

	/** No secret for any group. */
	public static GroupSecrets none() {
		return NONE;
	}

	/**
	 * Returns the secrets of {@code groups} (by group name).
	 * @throws StartupException when one is shorter than {@value #MIN_LENGTH} characters
	 */
	public static GroupSecrets of(Map<String, String> secrets) {
		Map<String, String> checked = new LinkedHashMap<>();
		secrets.forEach((group, secret) -> checked.put(group, check(secret, variable(group), "the secrets")));
		return new GroupSecrets(Map.copyOf(checked));
	}

	/**
	 * Reads the secrets of the {@link Bootstrap#GROUP_GRANTS platform groups} from an env file.
	 * @throws StartupException when the file cannot be read, a line is not {@code NAME=value}, or a group's secret is
	 * shorter than {@value #MIN_LENGTH} characters
	 */
	public static GroupSecrets read(Path file) {
		Objects.requireNonNull(file, "file");
		List<String> lines;
		try {
			lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new StartupException("cannot read switchboard.auth.bootstrap.group-secrets-file " + file + ": " + ex,
					ex);
		}
		Map<String, String> variables = new LinkedHashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).strip();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			if (line.startsWith("export ")) {
				line = line.substring("export ".length()).strip();
			}
			int equals = line.indexOf('=');
			if (equals <= 0) {
				throw new StartupException("line " + (i + 1) + " of the group secrets file " + file
						+ " is not NAME=value");
			}
			variables.put(line.substring(0, equals).strip(), unquote(line.substring(equals + 1).strip()));
		}
		Map<String, String> secrets = new LinkedHashMap<>();
		for (String group : Bootstrap.GROUP_GRANTS.keySet()) {
			String secret = variables.get(variable(group));
			if (secret != null) {
				secrets.put(group, check(secret, variable(group), "the group secrets file " + file));
			}
		}
		return new GroupSecrets(Map.copyOf(secrets));
	}

	/** Returns the variable that holds the secret of {@code group}: {@code SWITCHBOARD_<GROUP>_CLIENT_SECRET}. */
	public static String variable(String group) {
		return PREFIX + group.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + SUFFIX;
	}

	private static String check(String secret, String variable, String where) {
		if (secret.length() < MIN_LENGTH) {
			throw new StartupException(variable + " in " + where + " has " + secret.length()
					+ " characters; a client secret needs at least " + MIN_LENGTH);
		}
		return secret;
	}

	private static String unquote(String value) {
		if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
				|| value.startsWith("'") && value.endsWith("'"))) {
			return value.substring(1, value.length() - 1);
		}
		return value;
	}

	/** Returns these secrets with {@code others}' added; where both name a group, {@code others}' wins. */
	public GroupSecrets with(GroupSecrets others) {
		if (others.secrets.isEmpty()) {
			return this;
		}
		Map<String, String> merged = new LinkedHashMap<>(this.secrets);
		merged.putAll(others.secrets);
		return new GroupSecrets(Map.copyOf(merged));
	}

	/** Returns the secret of {@code group}, if one was chosen. */
	public Optional<String> secret(String group) {
		return Optional.ofNullable(this.secrets.get(group));
	}

	@Override
	public String toString() {
		return "GroupSecrets" + this.secrets.keySet();
	}

}
