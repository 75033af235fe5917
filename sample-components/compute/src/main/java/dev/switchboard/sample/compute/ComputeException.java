package dev.switchboard.sample.compute;

import io.grpc.Status;

/**
 * A request the compute sample refuses, with the gRPC status code it maps to and a one-line reason for the caller.
 * Carries no stack trace: it is an answer, not a failure.
 */
final class ComputeException extends RuntimeException {

	private final Status.Code code;

	private ComputeException(Status.Code code, String reason) {
		super(reason, null, false, false);
		this.code = code;
	}

	/** A malformed request. */
	static ComputeException invalid(String reason) {
		return new ComputeException(Status.Code.INVALID_ARGUMENT, reason);
	}

	/** A server this replica does not hold. */
	static ComputeException notFound(String serverId) {
		return new ComputeException(Status.Code.NOT_FOUND, "server '" + serverId + "' not found");
	}

	/** A request this replica cannot take any more because it is stopping. */
	static ComputeException unavailable(String reason) {
		return new ComputeException(Status.Code.UNAVAILABLE, reason);
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
