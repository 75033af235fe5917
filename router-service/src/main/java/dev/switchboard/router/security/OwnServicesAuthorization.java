package dev.switchboard.router.security;

import java.util.Objects;

import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.router.proxy.AwaitingAuthorization;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;

/**
 * The router's own services need a token allowed to {@code discover}, as reading the registry does: its reflection
 * lists every service on the platform and fetches their files, and {@code switchboard.router.v1.Router} shows every
 * replica's address. Health answers anyone, for probes and load balancers. Forwarded calls do not pass here (they are
 * the server's fallback, authorized per {@code call:<group>/<method>} by the proxy).
 * <p>
 * Decisions come from the {@link CachingAuthorizer}; a miss is asked asynchronously while the call waits, since calls
 * start on the router's event loops.
 */
public final class OwnServicesAuthorization implements ServerInterceptor {

	private final CachingAuthorizer authorizer;

	public OwnServicesAuthorization(CachingAuthorizer authorizer) {
		this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		if (HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
			return next.startCall(call, headers);
		}
		// a decision that waited arrives on another thread: the service still starts within the call's context
		Context context = Context.current();
		return AwaitingAuthorization.whenAllowed(this.authorizer, headers, Action.discover(), (principal, attach) -> {
			Context previous = context.attach();
			try {
				return next.startCall(call, headers);
			}
			finally {
				context.detach(previous);
			}
		}, (status) -> refuse(call, status));
	}

	private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
		call.close(status, new Metadata());
		return new ServerCall.Listener<>() {
		};
	}

}
