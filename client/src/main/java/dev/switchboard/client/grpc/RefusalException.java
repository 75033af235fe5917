package dev.switchboard.client.grpc;

import java.util.Objects;

import io.grpc.Status;

/**
 * A request a service refuses, with the gRPC status code it maps to and a one-line reason for the caller. It is a
 * refusal, not a failure, so it carries no stack trace; the cause attached by {@link #toStatus()} is never sent to
 * the client. Every service of the platform throws this one type, made by the factory that names its intent;
 * {@link ServiceExceptionHandler} turns it into the status. Immutable.
 */
public final class RefusalException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final Status.Code code;

	private RefusalException(Status.Code code, String reason) {
		super(Objects.requireNonNull(reason, "reason"), null, false, false);
		this.code = Objects.requireNonNull(code, "code");
	}

	/** A malformed request: a name, value or combination the service never accepts. */
	public static RefusalException invalidArgument(String reason) {
		return new RefusalException(Status.Code.INVALID_ARGUMENT, reason);
	}

	/** Something the request names that does not exist (here). */
	public static RefusalException notFound(String reason) {
		return new RefusalException(Status.Code.NOT_FOUND, reason);
	}

	/** A name that is taken, or a claim on something another caller owns. */
	public static RefusalException alreadyExists(String reason) {
		return new RefusalException(Status.Code.ALREADY_EXISTS, reason);
	}

	/** A caller without a valid token. */
	public static RefusalException unauthenticated(String reason) {
		return new RefusalException(Status.Code.UNAUTHENTICATED, reason);
	}

	/** A known caller that may not do this. */
	public static RefusalException permissionDenied(String reason) {
		return new RefusalException(Status.Code.PERMISSION_DENIED, reason);
	}

	/** A caller over one of its quotas or limits. */
	public static RefusalException resourceExhausted(String reason) {
		return new RefusalException(Status.Code.RESOURCE_EXHAUSTED, reason);
	}

	/** A well-formed request that the current state does not allow; retrying as is will not help. */
	public static RefusalException failedPrecondition(String reason) {
		return new RefusalException(Status.Code.FAILED_PRECONDITION, reason);
	}

	/** A request this replica cannot serve now (stopping, a dependency down); another replica or a retry may. */
	public static RefusalException unavailable(String reason) {
		return new RefusalException(Status.Code.UNAVAILABLE, reason);
	}

	/** Returns the gRPC status code this maps to. */
	public Status.Code code() {
		return this.code;
	}

	/** Returns the status to send, with this exception as its cause. */
	public Status toStatus() {
		return Status.fromCode(this.code).withDescription(getMessage()).withCause(this);
	}

}
