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

	/** A request that cannot be served as things stand, such as ports without a router to ask for them. */
	static ComputeException failedPrecondition(String reason) {
		return new ComputeException(Status.Code.FAILED_PRECONDITION, reason);
	}

	/**
	 * The network group's refusal to make a port on {@code network}: a malformed request stays INVALID_ARGUMENT, a
	 * port that cannot be had as things stand is FAILED_PRECONDITION, anything else (no network replica UP, this
	 * replica's own client refused by the router) is UNAVAILABLE to the caller, whose request was fine.
	 */
	static ComputeException fromNetwork(String network, Status status) {
		Status.Code code = switch (status.getCode()) {
			case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
			case FAILED_PRECONDITION, NOT_FOUND -> Status.Code.FAILED_PRECONDITION;
			default -> Status.Code.UNAVAILABLE;
		};
		return new ComputeException(code,
				"no port on network '" + network + "': " + status.getCode() + " " + status.getDescription());
	}

	/** A request this replica cannot take any more because it is stopping. */
	static ComputeException unavailable(String reason) {
		return new ComputeException(Status.Code.UNAVAILABLE, reason);
	}

}
