package dev.switchboard.sample.compute;

import java.util.Objects;

import dev.switchboard.sample.compute.v1.ServerState;

/**
 * What a watcher of one server is told: the server as of a state it entered (or as it stands, for the first event of
 * a watch), and why.
 *
 * @param server the server in its new (or current) state
 * @param message what happened, for people
 */
record ServerChange(ServerRecord server, String message) {

	ServerChange {
		Objects.requireNonNull(server, "server");
		Objects.requireNonNull(message, "message");
	}

	/** Whether this is the last change the server will ever have: it was deleted. */
	boolean isLast() {
		return this.server.state() == ServerState.DELETED;
	}

}
