package dev.switchboard.registry.store;

import dev.switchboard.common.grpc.RefusalException;
import io.grpc.Status;

/**
 * A request the registry refuses, with the gRPC status it maps to and a one-line reason for the caller.
 */
public final class RegistryException extends RefusalException {

	private RegistryException(Status.Code code, String reason) {
		super(code, reason);
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

	/** A client over one of its quotas. */
	public static RegistryException resourceExhausted(String reason) {
		return new RegistryException(Status.Code.RESOURCE_EXHAUSTED, reason);
	}

	/** A caller acting on an instance another client registered. */
	public static RegistryException permissionDenied(String reason) {
		return new RegistryException(Status.Code.PERMISSION_DENIED, reason);
	}

}
