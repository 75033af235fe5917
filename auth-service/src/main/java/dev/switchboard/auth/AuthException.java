package dev.switchboard.auth;

import dev.switchboard.common.grpc.RefusalException;
import io.grpc.Status;

/**
 * A request the auth service refuses, with the gRPC status code it maps to and a one-line reason for the caller. It
 * carries no stack trace: it is a refusal, not a failure.
 */
public final class AuthException extends RefusalException {

	private AuthException(Status.Code code, String reason) {
		super(code, reason);
	}

	/** A malformed request: bad client id, grant, action or token reference. */
	public static AuthException invalid(String reason) {
		return new AuthException(Status.Code.INVALID_ARGUMENT, reason);
	}

	/** A client (or a grant of a client) that does not exist. */
	public static AuthException notFound(String reason) {
		return new AuthException(Status.Code.NOT_FOUND, reason);
	}

	/** A client id that is taken. */
	public static AuthException alreadyExists(String reason) {
		return new AuthException(Status.Code.ALREADY_EXISTS, reason);
	}

	/** A caller without a valid token. */
	public static AuthException unauthenticated(String reason) {
		return new AuthException(Status.Code.UNAUTHENTICATED, reason);
	}

	/** A caller whose valid token does not allow the call. */
	public static AuthException permissionDenied(String reason) {
		return new AuthException(Status.Code.PERMISSION_DENIED, reason);
	}

}
