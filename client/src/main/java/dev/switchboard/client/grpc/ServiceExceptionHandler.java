package dev.switchboard.client.grpc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * The one place where a service turns exceptions into gRPC statuses: a {@link RefusalException} keeps its code and
 * one-line reason, a status thrown by a downstream call passes through, an infrastructure failure the service named
 * with {@link #withUnavailable} becomes {@code UNAVAILABLE} (another replica may do), anything else
 * {@code INTERNAL: internal <service> error}. Failures are logged here; no stack trace ever reaches the caller.
 * <p>
 * Spring gRPC applies it to exceptions a service method throws when it is a bean; services that answer through a
 * {@link StreamObserver} use {@link #reply} or {@link #toStatus} themselves. Immutable and thread-safe.
 */
public final class ServiceExceptionHandler implements GrpcExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(ServiceExceptionHandler.class);

	private final String service;

	private final Map<Class<? extends Throwable>, String> unavailable;

	private ServiceExceptionHandler(String service, Map<Class<? extends Throwable>, String> unavailable) {
		this.service = service;
		this.unavailable = unavailable;
	}

	/** Returns the handler of {@code service} (a short name such as {@code registry}) with no infrastructure errors. */
	public static ServiceExceptionHandler of(String service) {
		return new ServiceExceptionHandler(Objects.requireNonNull(service, "service"), Map.of());
	}

	/**
	 * Returns a copy that answers {@code UNAVAILABLE} with {@code reason} to an exception of {@code type} (or a
	 * subtype): a failure of the service's own infrastructure, not of the request.
	 */
	public ServiceExceptionHandler withUnavailable(Class<? extends Throwable> type, String reason) {
		Map<Class<? extends Throwable>, String> unavailable = new LinkedHashMap<>(this.unavailable);
		unavailable.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(reason, "reason"));
		return new ServiceExceptionHandler(this.service, Map.copyOf(unavailable));
	}

	@Override
	public StatusException handleException(Throwable exception) {
		return toStatus(exception).asException();
	}

	/** Returns the status to send for {@code exception}, with the exception as its (never sent) cause. */
	public Status toStatus(Throwable exception) {
		if (exception instanceof RefusalException refused) {
			return refused.toStatus();
		}
		if (exception instanceof StatusRuntimeException || exception instanceof StatusException) {
			return Status.fromThrowable(exception);
		}
		for (Map.Entry<Class<? extends Throwable>, String> infrastructure : this.unavailable.entrySet()) {
			if (infrastructure.getKey().isInstance(exception)) {
				logger.warn("{} call failed: {}", this.service, exception.toString());
				return Status.UNAVAILABLE.withDescription(infrastructure.getValue()).withCause(exception);
			}
		}
		logger.error("{} call failed unexpectedly", this.service, exception);
		return Status.INTERNAL.withDescription("internal " + this.service + " error").withCause(exception);
	}

	/**
	 * Answers a unary call with what {@code call} returns, or with the status its failure maps to: never a thrown
	 * exception, which gRPC would turn into {@code UNKNOWN}. Runs {@code call} on the calling thread.
	 */
	public <T> void reply(StreamObserver<T> responses, Supplier<T> call) {
		T response;
		try {
			response = call.get();
		}
		catch (RuntimeException ex) {
			responses.onError(toStatus(ex).asRuntimeException());
			return;
		}
		responses.onNext(response);
		responses.onCompleted();
	}

}
