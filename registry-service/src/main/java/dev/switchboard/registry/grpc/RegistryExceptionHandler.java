package dev.switchboard.registry.grpc;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import dev.switchboard.common.grpc.RefusalException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * The one place where the registry turns exceptions into gRPC statuses: refusals keep their code and one-line reason,
 * anything unexpected becomes {@code INTERNAL} (logged here, never sent with a stack trace).
 */
public final class RegistryExceptionHandler implements GrpcExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(RegistryExceptionHandler.class);

	@Override
	public StatusException handleException(Throwable exception) {
		return toStatus(exception).asException();
	}

	/** Returns the status to send for {@code exception}, with the exception as its cause. */
	public Status toStatus(Throwable exception) {
		if (exception instanceof RefusalException refused) {
			return refused.toStatus();
		}
		if (exception instanceof StatusRuntimeException || exception instanceof StatusException) {
			return Status.fromThrowable(exception);
		}
		if (exception instanceof HazelcastInstanceNotActiveException) {
			return Status.UNAVAILABLE.withDescription("this registry replica is shutting down; use another")
				.withCause(exception);
		}
		logger.error("Registry call failed unexpectedly", exception);
		return Status.INTERNAL.withDescription("internal registry error").withCause(exception);
	}

}
