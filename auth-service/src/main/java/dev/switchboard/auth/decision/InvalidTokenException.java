package dev.switchboard.auth.decision;

/**
 * A token that is not valid, with the one-line reason. Carries no stack trace: a refusal, not a failure.
 */
public final class InvalidTokenException extends RuntimeException {

	private final VerifiedToken token;

	InvalidTokenException(String reason) {
		this(reason, null);
	}

	/** @param token what is known of the token when it is refused after its signature checked out, else null */
	InvalidTokenException(String reason, VerifiedToken token) {
		super(reason, null, false, false);
		this.token = token;
	}

	/** Returns the verified claims when the token was refused for a reason other than its form or signature. */
	public VerifiedToken token() {
		return this.token;
	}

}
