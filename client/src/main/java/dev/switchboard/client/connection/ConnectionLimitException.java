package dev.switchboard.client.connection;

import java.util.Objects;

import io.grpc.Status;

/**
 * Thrown when opening a connection would exceed a cap on open connections. Nothing was opened; the caller may retry
 * once connections are closed.
 */
public final class ConnectionLimitException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** Which cap was reached. */
	public enum Scope {

		/** The cap on connections to one service. */
		SERVICE,

		/** The cap on connections in the whole process. */
		GLOBAL

	}

	private final Scope scope;

	private final String service;

	private final int limit;

	private final int current;

	ConnectionLimitException(Scope scope, String service, int limit, int current) {
		super(message(scope, service, limit, current));
		this.scope = Objects.requireNonNull(scope, "scope");
		this.service = Objects.requireNonNull(service, "service");
		this.limit = limit;
		this.current = current;
	}

	private static String message(Scope scope, String service, int limit, int current) {
		return switch (scope) {
			case SERVICE -> "connection limit reached for service " + service + ": " + current + " open, at most "
					+ limit + " per service";
			case GLOBAL -> "global connection limit reached opening service " + service + ": " + current
					+ " open, at most " + limit;
		};
	}

	/** Returns which cap was reached. */
	public Scope scope() {
		return this.scope;
	}

	/** Returns the service a connection was asked for. */
	public String service() {
		return this.service;
	}

	/** Returns the cap that was reached. */
	public int limit() {
		return this.limit;
	}

	/** Returns the number of open connections counted against the cap when it was reached. */
	public int current() {
		return this.current;
	}

	/** Returns {@code RESOURCE_EXHAUSTED} with this exception's one-line message, for answering a gRPC caller. */
	public Status toStatus() {
		return Status.RESOURCE_EXHAUSTED.withDescription(getMessage()).withCause(this);
	}

}
