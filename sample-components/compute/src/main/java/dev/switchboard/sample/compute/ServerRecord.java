package dev.switchboard.sample.compute;

import java.time.Instant;
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
 */
record ServerRecord(String id, String name, String flavor, String image, ServerState state, Instant createdAt,
		Instant stateSince) {

	ServerRecord {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(flavor, "flavor");
		Objects.requireNonNull(image, "image");
		Objects.requireNonNull(state, "state");
		Objects.requireNonNull(createdAt, "createdAt");
		Objects.requireNonNull(stateSince, "stateSince");
	}

	/** A server that has just been created and is BUILDING. */
	static ServerRecord building(String id, String name, String flavor, String image, Instant now) {
		return new ServerRecord(id, name, flavor, image, ServerState.BUILDING, now, now);
	}

	/** Returns a copy in {@code newState}, entered at {@code at}. */
	ServerRecord withState(ServerState newState, Instant at) {
		return new ServerRecord(this.id, this.name, this.flavor, this.image, newState, this.createdAt, at);
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
			.build();
	}

	static Timestamp timestamp(Instant instant) {
		return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
	}

}
