package dev.switchboard.sample.volume;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.github.f4b6a3.tsid.TsidCreator;
import dev.switchboard.client.grpc.RefusalException;

/**
 * The volumes of this replica, in memory. Refusals are thrown as {@link RefusalException}. Thread-safe and
 * non-blocking: each attachment is one atomic update of its volume, so two callers racing to attach the same volume
 * to different servers cannot both win.
 */
final class VolumeStore {

	/** The longest name, like a DNS label. */
	static final int MAX_NAME_LENGTH = 63;

	static final int MIN_SIZE_GB = 1;

	static final int MAX_SIZE_GB = 16384;

	static final int MAX_SERVER_ID_LENGTH = 255;

	private final ConcurrentMap<String, VolumeRecord> volumes = new ConcurrentHashMap<>();

	/**
	 * Creates an AVAILABLE volume.
	 * @throws RefusalException INVALID_ARGUMENT for a missing or too long name or a size outside 1..16384 GiB
	 */
	VolumeRecord create(String name, int sizeGb) {
		requireText("name", name, MAX_NAME_LENGTH);
		if (sizeGb < MIN_SIZE_GB || sizeGb > MAX_SIZE_GB) {
			throw RefusalException
				.invalidArgument("size_gb must be between " + MIN_SIZE_GB + " and " + MAX_SIZE_GB + ", was " + sizeGb);
		}
		VolumeRecord volume = VolumeRecord.available(TsidCreator.getTsid().toString(), name, sizeGb);
		this.volumes.put(volume.id(), volume);
		return volume;
	}

	/**
	 * Checks an attachment request before anyone is asked about the server.
	 * @throws RefusalException INVALID_ARGUMENT for a missing id, NOT_FOUND for a volume this replica does not hold
	 */
	void checkAttachable(String volumeId, String serverId) {
		requireText("volume_id", volumeId, Integer.MAX_VALUE);
		requireText("server_id", serverId, MAX_SERVER_ID_LENGTH);
		if (!this.volumes.containsKey(volumeId)) {
			throw unknown(volumeId);
		}
	}

	/**
	 * Attaches a volume to a server; the caller checks the server against compute first. Attaching a volume again
	 * to the server it is attached to changes nothing.
	 * @return the volume, IN_USE by {@code serverId}
	 * @throws RefusalException INVALID_ARGUMENT for a missing id, NOT_FOUND for a volume this replica does not hold,
	 * FAILED_PRECONDITION if the volume is attached to another server
	 */
	VolumeRecord attach(String volumeId, String serverId) {
		requireText("volume_id", volumeId, Integer.MAX_VALUE);
		requireText("server_id", serverId, MAX_SERVER_ID_LENGTH);
		VolumeRecord attached = this.volumes.computeIfPresent(volumeId, (id, volume) -> volume.attachTo(serverId));
		if (attached == null) {
			throw unknown(volumeId);
		}
		return attached;
	}

	/** Returns the volumes this replica holds, oldest first. */
	List<VolumeRecord> list() {
		return this.volumes.values()
			.stream()
			.sorted(Comparator.comparing(VolumeRecord::id)) // TSIDs sort by creation time
			.toList();
	}

	/** A volume this replica does not hold. */
	private static RefusalException unknown(String volumeId) {
		return RefusalException.notFound("volume '" + volumeId + "' not found");
	}

	private static void requireText(String field, String value, int maxLength) {
		if (value == null || value.isBlank()) {
			throw RefusalException.invalidArgument(field + " is required");
		}
		if (value.length() > maxLength) {
			throw RefusalException.invalidArgument(
					field + " is " + value.length() + " characters long; the limit is " + maxLength);
		}
	}

}
