package dev.switchboard.auth;

/**
 * A setting or stored state the auth service cannot start with, such as a key-encryption key that does not open the
 * stored CA or a bootstrap secret that is too short. The message is one line naming what to fix; it never holds a
 * secret. {@link StartupFailureAnalyzer} shows it without the stack trace.
 */
public final class StartupException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public StartupException(String message) {
		super(message);
	}

	public StartupException(String message, Throwable cause) {
		super(message, cause);
	}

}
