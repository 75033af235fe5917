package dev.switchboard.client.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.grpc.ConnectivityState;

/**
 * Everything a {@link ClientConnectionManager} knows about its connections at one instant: totals, caps, rates, per
 * service statistics, every open connection and the ones held too long. The {@code grpcclients} actuator endpoint
 * returns it as JSON. Ids are decimal strings, because JSON readers lose precision on 64-bit numbers.
 * <p>
 * Immutable.
 *
 * @param timestamp when the snapshot was taken
 * @param live the connections open now, over all services
 * @param peak the most connections open at once since start
 * @param opened the connections opened since start
 * @param closed the connections closed since start
 * @param maxConnections the cap on open connections in the process
 * @param maxConnectionsPerService the cap on open connections to one service
 * @param opensPerSecond the average rate of opening
 * @param closesPerSecond the average rate of closing
 * @param services the statistics of every service that ever had a connection, by name in order
 * @param connections every open connection, oldest first
 * @param heldThreshold the age past which a connection is listed in {@code held}
 * @param held the open connections older than {@code heldThreshold}, oldest first
 */
public record ClientConnectionsDescriptor(Instant timestamp, int live, int peak, long opened, long closed,
		int maxConnections, int maxConnectionsPerService, Rate opensPerSecond, Rate closesPerSecond,
		Map<String, ServiceStatistics> services, List<ConnectionDescriptor> connections, Duration heldThreshold,
		List<HeldConnection> held) {

	public ClientConnectionsDescriptor {
		Objects.requireNonNull(timestamp, "timestamp");
		Objects.requireNonNull(opensPerSecond, "opensPerSecond");
		Objects.requireNonNull(closesPerSecond, "closesPerSecond");
		services = Collections.unmodifiableMap(new TreeMap<>(services));
		connections = List.copyOf(connections);
		Objects.requireNonNull(heldThreshold, "heldThreshold");
		held = List.copyOf(held);
	}

	/**
	 * An average number of events per second over sliding windows.
	 *
	 * @param oneMinute over the last minute
	 * @param fiveMinutes over the last five minutes
	 */
	public record Rate(double oneMinute, double fiveMinutes) {

	}

	/**
	 * One open connection.
	 *
	 * @param id the connection id
	 * @param service the service it was opened for
	 * @param target the gRPC target of its channel
	 * @param state the state as an operator reads it
	 * @param connectivity the channel's own connectivity state ({@code null} if unknown)
	 * @param createdAt when it was opened
	 * @param lastUsedAt when its last call started
	 * @param age how long it has been open
	 * @param calls the calls started on it
	 */
	public record ConnectionDescriptor(String id, String service, String target, ConnectionState state,
			ConnectivityState connectivity, Instant createdAt, Instant lastUsedAt, Duration age, long calls) {

		static ConnectionDescriptor of(ClientConnection connection) {
			return new ConnectionDescriptor(Long.toString(connection.id()), connection.service(), connection.target(),
					connection.state(), connection.connectivity(), connection.createdAt(), connection.lastUsedAt(),
					connection.age(), connection.calls());
		}

	}

	/**
	 * An open connection older than the held threshold: possibly a leak.
	 *
	 * @param id the connection id
	 * @param service the service it was opened for
	 * @param target the gRPC target of its channel
	 * @param age how long it has been open
	 * @param lastUsedAt when its last call started
	 * @param calls the calls started on it
	 * @param origin the stack that opened it, innermost frame first; empty unless origins are captured
	 */
	public record HeldConnection(String id, String service, String target, Duration age, Instant lastUsedAt,
			long calls, List<String> origin) {

		static HeldConnection of(ClientConnection connection) {
			return new HeldConnection(Long.toString(connection.id()), connection.service(), connection.target(),
					connection.age(), connection.lastUsedAt(), connection.calls(),
					connection.origin().stream().map(StackTraceElement::toString).toList());
		}

	}

}
