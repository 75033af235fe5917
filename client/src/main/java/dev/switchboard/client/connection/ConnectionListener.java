package dev.switchboard.client.connection;

/**
 * Told when a {@link ClientConnectionManager} opens or closes a connection, for metrics or audit.
 * <p>
 * Called synchronously on the thread that opens or closes, possibly while the manager holds a lock on that service
 * and target: implementations must be quick, must not block and must not call back into the manager. Exceptions
 * are logged and otherwise ignored.
 */
interface ConnectionListener {

	/** Called once a connection is open and registered, before it is handed out. */
	default void opened(ClientConnection connection) {
	}

	/** Called once a connection is closed and unregistered, before its channel finishes shutting down. */
	default void closed(ClientConnection connection) {
	}

}
