package dev.switchboard.common.grpc;

import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;

/**
 * How the platform's services answer unary calls: the result, or the status the failure maps to, never a thrown
 * exception (which gRPC would turn into UNKNOWN) and never a stack trace to the caller.
 */
public final class UnaryReplies {

	private UnaryReplies() {
	}

	/** Answers with what {@code call} returns, or with the status {@code toStatus} gives its failure. */
	public static <T> void reply(StreamObserver<T> responses, Supplier<T> call,
			Function<RuntimeException, Status> toStatus) {
		T response;
		try {
			response = call.get();
		}
		catch (RuntimeException ex) {
			responses.onError(toStatus.apply(ex).asRuntimeException());
			return;
		}
		responses.onNext(response);
		responses.onCompleted();
	}

	/**
	 * Maps a refusal to its status; anything else is logged to {@code logger} and becomes
	 * {@code INTERNAL: internal <what> error}.
	 */
	public static Status statusOf(RuntimeException exception, Logger logger, String what) {
		if (exception instanceof RefusalException refused) {
			return refused.toStatus();
		}
		logger.error("{} call failed unexpectedly", what, exception);
		return Status.INTERNAL.withDescription("internal " + what + " error").withCause(exception);
	}

}
