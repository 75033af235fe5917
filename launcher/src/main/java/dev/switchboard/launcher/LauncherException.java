package dev.switchboard.launcher;

/**
 * Why the launcher stops: one line for the user ({@code switchboard: <message>} on standard error, exit status 1).
 */
public final class LauncherException extends RuntimeException {

	public LauncherException(String message) {
		super(message);
	}

	public LauncherException(String message, Throwable cause) {
		super(message, cause);
	}

}
