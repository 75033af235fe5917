package dev.switchboard.common.grpc;

import java.util.Objects;

import io.grpc.Status;

/**
 * A request a service refuses, with the gRPC status code it maps to and a one-line reason for the caller. It is a
 * refusal, not a failure, so it carries no stack trace; the cause attached by {@link #toStatus()} is never sent to
 * the client. Each service has its own subclass with factories named by intent.
 */
public class RefusalException extends RuntimeException {

	private final Status.Code code;

	protected RefusalException(Status.Code code, String reason) {
		super(reason, null, false, false);
		this.code = Objects.requireNonNull(code, "code");
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
