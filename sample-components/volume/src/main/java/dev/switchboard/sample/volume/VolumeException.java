package dev.switchboard.sample.volume;

import dev.switchboard.common.grpc.RefusalException;
import io.grpc.Status;

/**
 * A request the volume sample refuses, with the gRPC status code it maps to and a one-line reason for the caller.
 * Carries no stack trace: it is an answer, not a failure.
 */
final class VolumeException extends RefusalException {

	private VolumeException(Status.Code code, String reason) {
		super(code, reason);
	}

	/** A malformed request. */
	static VolumeException invalid(String reason) {
		return new VolumeException(Status.Code.INVALID_ARGUMENT, reason);
	}

	/** A volume this replica does not hold. */
	static VolumeException notFound(String volumeId) {
		return new VolumeException(Status.Code.NOT_FOUND, "volume '" + volumeId + "' not found");
	}

	/** A request the volume's current state does not allow. */
	static VolumeException serverNotFound(String serverId) {
		return new VolumeException(Status.Code.NOT_FOUND, "server '" + serverId + "' not found on any compute replica");
	}

	static VolumeException unavailable(String reason) {
		return new VolumeException(Status.Code.UNAVAILABLE, reason);
	}

	static VolumeException failedPrecondition(String reason) {
		return new VolumeException(Status.Code.FAILED_PRECONDITION, reason);
	}

}
