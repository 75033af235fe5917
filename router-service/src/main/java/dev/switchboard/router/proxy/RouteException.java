package dev.switchboard.router.proxy;

import io.grpc.Status;

/** A call the router cannot route, with the status to answer and its one-line reason. */
final class RouteException extends RuntimeException {

	private final Status status;

	RouteException(Status status) {
		super(status.getDescription(), null, false, false);
		this.status = status;
	}

	Status status() {
		return this.status;
	}

}
