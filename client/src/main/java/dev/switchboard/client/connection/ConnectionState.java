package dev.switchboard.client.connection;

/**
 * The state of a client connection, as an operator reads it.
 */
public enum ConnectionState {

	/** Open, and the channel has a ready transport ({@code ConnectivityState.READY}). */
	CONNECTED,

	/**
	 * Open, but without a ready transport: idle, connecting or failing to connect. The exact
	 * {@code ConnectivityState} is in the connection's descriptor.
	 */
	IDLE,

	/** Closed through the manager; its channel is shut down and refuses new calls. */
	CLOSED

}
