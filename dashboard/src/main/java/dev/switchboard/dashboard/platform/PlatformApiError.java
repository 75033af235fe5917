package dev.switchboard.dashboard.platform;

import io.grpc.Status;

import org.springframework.http.HttpStatus;

/**
 * What the platform API answers when the registry refused or could not be reached.
 *
 * @param code the gRPC status code, such as {@code NOT_FOUND}
 * @param message the registry's one-line reason
 */
public record PlatformApiError(String code, String message) {

	/** The error for a registry answer. */
	public static PlatformApiError of(Status status) {
		String description = status.getDescription();
		return new PlatformApiError(status.getCode().name(),
				(description != null && !description.isBlank()) ? description : status.getCode().name());
	}

	/** The error for a request the dashboard refuses itself. */
	public static PlatformApiError invalidArgument(String message) {
		return new PlatformApiError(Status.Code.INVALID_ARGUMENT.name(), message);
	}

	/**
	 * The HTTP status that carries a registry answer: the caller's mistakes keep their meaning, the dashboard's own
	 * trouble with the registry (its token refused, the registry down) is a gateway error.
	 */
	public static HttpStatus httpStatus(Status.Code code) {
		return switch (code) {
			case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
			case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> HttpStatus.CONFLICT;
			case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
			case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
			case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
			case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
			default -> HttpStatus.BAD_GATEWAY;
		};
	}

}
