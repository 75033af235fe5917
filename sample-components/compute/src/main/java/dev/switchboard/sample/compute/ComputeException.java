package dev.switchboard.sample.compute;

import dev.switchboard.common.grpc.RefusalException;
import io.grpc.Status;

/**
 * A request the compute sample refuses, with the gRPC status code it maps to and a one-line reason for the caller.
 * Carries no stack trace: it is an answer, not a failure.
 */
final class ComputeException extends RefusalException {

	private ComputeException(Status.Code code, String reason) {
		super(code, reason);
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

}
