package dev.switchboard.launcher;

import java.util.Base64;
import java.security.SecureRandom;

import dev.switchboard.launcher.state.StateDirectory;

/** The secrets of {@code .env} for docker compose, filled into the lines of {@code .env.example}. */
final class ComposeEnv {

	private static final SecureRandom random = new SecureRandom();

	private ComposeEnv() {
	}

	/**
	 * {@code line} of {@code .env.example} with a fresh secret where it has an empty {@code SWITCHBOARD_*} value: 32
	 * random bytes in Base64 for the CA's key-encryption key (the auth service decodes it), 24 bytes for the others;
	 * the issuer and everything else as it is.
	 */
	static String withSecret(String line) {
		if (line.startsWith("SWITCHBOARD_ISSUER=")) {
			return line;
		}
		if (line.equals("SWITCHBOARD_CA_KEK=")) {
			byte[] key = new byte[32];
			random.nextBytes(key);
			return line + Base64.getEncoder().encodeToString(key);
		}
		if (line.startsWith("SWITCHBOARD_") && line.endsWith("=")) {
			return line + StateDirectory.randomSecret(24);
		}
		return line;
	}

}
