package dev.switchboard.registry.store;

import io.grpc.Status;

/**
 * A request the registry refuses, with the gRPC status it maps to and a one-line reason for the caller.
 */
public final class RegistryException extends RuntimeException {

	private final Status.Code code;

	private RegistryException(Status.Code code, String reason) {
		super(reason, null, false, false);
		this.code = code;
	}

	/** A malformed request. */
	public static RegistryException invalid(String reason) {
		return new RegistryException(Status.Code.INVALID_ARGUMENT, reason);
	}

	/** An instance that is not registered. */
	public static RegistryException notFound(String reason) {
		return new RegistryException(Status.Code.NOT_FOUND, reason);
	}

	/** A claim on something another group or instance owns. */
	public static RegistryException alreadyExists(String reason) {
		return new RegistryException(Status.Code.ALREADY_EXISTS, reason);
	}

	/** A caller acting on an instance another client registered. */
	public static RegistryException permissionDenied(String reason) {
		return new RegistryException(Status.Code.PERMISSION_DENIED, reason);
	}

	/** Returns the gRPC status code this maps to. */
	public Status.Code code() {
		return this.code;
	}

	/** Returns the status to send, with this exception as its cause (never sent to the client). */
	public Status toStatus() {
		return Status.fromCode(this.code).withDescription(getMessage()).withCause(this);
	}

}
