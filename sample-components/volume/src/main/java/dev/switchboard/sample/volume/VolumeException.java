package dev.switchboard.sample.volume;

import io.grpc.Status;

/**
 * A request the volume sample refuses, with the gRPC status code it maps to and a one-line reason for the caller.
 * Carries no stack trace: it is an answer, not a failure.
 */
final class VolumeException extends RuntimeException {

	private final Status.Code code;

	private VolumeException(Status.Code code, String reason) {
		super(reason, null, false, false);
		this.code = code;
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

	/** Returns the gRPC status code this maps to. */
	Status.Code code() {
		return this.code;
	}

	/** Returns the status to send, with this exception as its cause (never sent to the client). */
	Status toStatus() {
		return Status.fromCode(this.code).withDescription(getMessage()).withCause(this);
	}

}
