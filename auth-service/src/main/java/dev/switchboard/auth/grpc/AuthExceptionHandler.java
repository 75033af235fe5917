package dev.switchboard.auth.grpc;

import dev.switchboard.auth.AuthException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;
import org.springframework.transaction.TransactionException;

/**
 * The one place where the auth service turns exceptions into gRPC statuses: refusals keep their code and one-line
 * reason, a database that cannot be reached becomes {@code UNAVAILABLE} (another replica may do), anything else
 * {@code INTERNAL}. Unexpected failures are logged here; no stack trace ever reaches the caller. Thread-safe.
 */
public final class AuthExceptionHandler implements GrpcExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(AuthExceptionHandler.class);

	@Override
	public StatusException handleException(Throwable exception) {
		return toStatus(exception).asException();
	}

	/** Returns the status to send for {@code exception}, with the exception as its (never sent) cause. */
	public Status toStatus(Throwable exception) {
		if (exception instanceof AuthException refused) {
			return refused.toStatus();
		}
		if (exception instanceof StatusRuntimeException || exception instanceof StatusException) {
			return Status.fromThrowable(exception);
		}
		if (exception instanceof DataAccessException || exception instanceof TransactionException) {
			logger.warn("Auth database call failed: {}", exception.toString());
			return Status.UNAVAILABLE.withDescription("auth database unavailable; retry or use another replica")
				.withCause(exception);
		}
		logger.error("Auth call failed unexpectedly", exception);
		return Status.INTERNAL.withDescription("internal auth error").withCause(exception);
	}

}
