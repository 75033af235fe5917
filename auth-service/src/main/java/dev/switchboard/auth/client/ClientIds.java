package dev.switchboard.auth.client;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import dev.switchboard.client.grpc.Printable;
import dev.switchboard.client.grpc.RefusalException;

/**
 * The rules for client ids: 1 to 64 characters out of {@code A-Z a-z 0-9 . _ -}. Thread-safe.
 */
public final class ClientIds {

	/** The longest client id. */
	public static final int MAX_LENGTH = 64;

	private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");

	private static final SecureRandom random = new SecureRandom();

	private ClientIds() {
	}

	/** Returns the reason {@code clientId} is not a valid client id, or null when it is valid. */
	public static String problem(String clientId) {
		if (clientId == null || clientId.isEmpty()) {
			return "client id is empty";
		}
		if (clientId.length() > MAX_LENGTH) {
			return "client id is longer than " + MAX_LENGTH + " characters";
		}
		if (!CLIENT_ID.matcher(clientId).matches()) {
			return "client id '" + Printable.of(clientId) + "' may only hold letters, digits, '.', '_' and '-'";
		}
		return null;
	}

	/**
	 * Checks a client id.
	 * @throws RefusalException (INVALID_ARGUMENT) when it is not valid
	 */
	public static String validate(String clientId) {
		String problem = problem(clientId);
		if (problem != null) {
			throw RefusalException.invalidArgument(problem);
		}
		return clientId;
	}

	/** Returns a new random client id such as {@code client-3f9c0a17d2e4b865}. */
	public static String generate() {
		byte[] bytes = new byte[8];
		random.nextBytes(bytes);
		return "client-" + HexFormat.of().formatHex(bytes);
	}

}
