package dev.switchboard.auth.client;

import java.security.SecureRandom;
import java.util.Base64;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Makes client secrets and their hashes. Secrets are 256 random bits in URL-safe Base64 (safe in HTTP basic and form
 * posts without escaping); hashes are Spring Security's delegating format ({@code {bcrypt}...}), the format Spring
 * Authorization Server checks secrets with. Thread-safe; hashing is deliberately slow (tens of milliseconds).
 */
public final class ClientSecrets {

	private static final SecureRandom random = new SecureRandom();

	private static final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();

	private ClientSecrets() {
	}

	/** Returns a new random secret. */
	public static String generate() {
		byte[] bytes = new byte[32];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** Returns the hash to store for {@code secret}. */
	public static String hash(String secret) {
		return encoder.encode(secret);
	}

	/** Returns whether {@code secret} matches a stored hash. */
	public static boolean matches(String secret, String hash) {
		return encoder.matches(secret, hash);
	}

}
