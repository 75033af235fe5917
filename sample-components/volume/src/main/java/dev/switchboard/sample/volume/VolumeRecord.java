package dev.switchboard.sample.volume;

import java.util.Objects;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.volume.v1.StorageVolume;
import dev.switchboard.sample.volume.v1.VolumeState;

/**
 * One volume as the store holds it. Immutable; attaching makes a copy. Its state follows from its attachment, so the
 * two can never disagree.
 *
 * @param id the volume's TSID
 * @param name what the caller named it
 * @param sizeGb its size in GiB
 * @param attachedTo the server it is attached to, empty while it is available
 */
record VolumeRecord(String id, String name, int sizeGb, String attachedTo) {

	VolumeRecord {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(attachedTo, "attachedTo");
	}

	/** A new volume, attached to nothing. */
	static VolumeRecord available(String id, String name, int sizeGb) {
		return new VolumeRecord(id, name, sizeGb, "");
	}

	/** Returns AVAILABLE, or IN_USE while attached to a server. */
	VolumeState state() {
		return this.attachedTo.isEmpty() ? VolumeState.AVAILABLE : VolumeState.IN_USE;
	}

	/**
	 * Returns this volume attached to {@code serverId}; this same volume if it already is.
	 * @throws RefusalException FAILED_PRECONDITION if it is attached to another server
	 */
	VolumeRecord attachTo(String serverId) {
		Objects.requireNonNull(serverId, "serverId");
		if (this.attachedTo.equals(serverId)) {
			return this;
		}
		if (!this.attachedTo.isEmpty()) {
			throw RefusalException.failedPrecondition(
					"volume '" + this.id + "' is attached to server '" + this.attachedTo + "'");
		}
		return new VolumeRecord(this.id, this.name, this.sizeGb, serverId);
	}

	/** Returns the wire form, signed by the replica {@code servedBy}. */
	StorageVolume toProto(String servedBy) {
		return StorageVolume.newBuilder()
			.setId(this.id)
			.setName(this.name)
			.setSizeGb(this.sizeGb)
			.setState(state())
			.setAttachedTo(this.attachedTo)
			.setServedBy(servedBy)
			.build();
	}

}
