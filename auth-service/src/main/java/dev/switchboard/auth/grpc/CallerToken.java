package dev.switchboard.auth.grpc;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Carries the caller's own bearer token (metadata {@code authorization: Bearer <token>}) from the call's headers to
 * the service methods, through the gRPC {@link Context}. Thread-safe and stateless.
 */
public final class CallerToken implements ServerInterceptor {

	private static final Context.Key<String> TOKEN = Context.key("switchboard-caller-token");

	private static final String BEARER = "Bearer ";

	/** Returns the caller's raw token, or null when the call has no bearer token. */
	public static String current() {
		return TOKEN.get();
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		String authorization = headers.get(SwitchboardHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return next.startCall(call, headers);
		}
		Context context = Context.current().withValue(TOKEN, authorization.substring(BEARER.length()).trim());
		return Contexts.interceptCall(context, call, headers, next);
	}

}
