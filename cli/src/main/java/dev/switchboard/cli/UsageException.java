package dev.switchboard.cli;

/**
 * A command line that cannot run as given: a bad option, a missing argument, an unreadable file or request JSON that
 * does not fit the request type. The CLI prints the message as one line and exits with
 * {@link SwitchboardCli#EXIT_USAGE}; nothing has been sent to the server's method when this is thrown.
 */
final class UsageException extends Exception {

	private static final long serialVersionUID = 1L;

	UsageException(String message) {
		super(message);
	}

	UsageException(String message, Throwable cause) {
		super(message, cause);
	}

}
