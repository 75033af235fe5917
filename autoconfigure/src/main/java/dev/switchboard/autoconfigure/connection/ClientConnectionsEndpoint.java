package dev.switchboard.autoconfigure.connection;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ClientConnectionsDescriptor;

import java.util.Objects;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code grpcclients} actuator endpoint: every statistic, open connection and held connection of the process's
 * {@link ClientConnectionManager}. Thread-safe; each read walks the open connections once.
 */
@Endpoint(id = "grpcclients")
public final class ClientConnectionsEndpoint {

	private final ClientConnectionManager manager;

	public ClientConnectionsEndpoint(ClientConnectionManager manager) {
		this.manager = Objects.requireNonNull(manager, "manager");
	}

	/** Returns a snapshot of the manager's connections. */
	@ReadOperation
	public ClientConnectionsDescriptor connections() {
		return this.manager.describe();
	}

}
