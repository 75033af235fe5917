package dev.switchboard.sample.compute;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.google.protobuf.Timestamp;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.ServerState;

/**
 * One server as the store holds it. Immutable; state changes make copies.
 *
 * @param id the server's TSID
 * @param name what the caller named it
 * @param flavor the size asked for, e.g. {@code m1.small}
 * @param image the image to boot, e.g. {@code ubuntu-24.04}
 * @param state BUILDING, ACTIVE or DELETED
 * @param createdAt when it was created
 * @param stateSince when it entered its current state
 * @param portIds the ports the network group made for it, in the order of the networks asked for
 */
record ServerRecord(String id, String name, String flavor, String image, ServerState state, Instant createdAt,
		Instant stateSince, List<String> portIds) {

	ServerRecord {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(flavor, "flavor");
		Objects.requireNonNull(image, "image");
		Objects.requireNonNull(state, "state");
		Objects.requireNonNull(createdAt, "createdAt");
		Objects.requireNonNull(stateSince, "stateSince");
		portIds = List.copyOf(portIds);
	}

	/** A server that has just been created and is BUILDING. */
	static ServerRecord building(String id, String name, String flavor, String image, Instant now) {
		return new ServerRecord(id, name, flavor, image, ServerState.BUILDING, now, now, List.of());
	}

	/** Returns a copy in {@code newState}, entered at {@code at}. */
	ServerRecord withState(ServerState newState, Instant at) {
		return new ServerRecord(this.id, this.name, this.flavor, this.image, newState, this.createdAt, at,
				this.portIds);
	}

	/** Returns a copy plugged into the network ports {@code ids}. */
	ServerRecord withPorts(List<String> ids) {
		return new ServerRecord(this.id, this.name, this.flavor, this.image, this.state, this.createdAt,
				this.stateSince, ids);
	}

	/** Returns the wire form, signed by the replica {@code servedBy}. */
	Server toProto(String servedBy) {
		return Server.newBuilder()
			.setId(this.id)
			.setName(this.name)
			.setFlavor(this.flavor)
			.setImage(this.image)
			.setState(this.state)
			.setCreatedAt(timestamp(this.createdAt))
			.setServedBy(servedBy)
			.addAllPortIds(this.portIds)
			.build();
	}

	static Timestamp timestamp(Instant instant) {
		return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
	}

}
