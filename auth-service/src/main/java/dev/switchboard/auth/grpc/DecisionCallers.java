package dev.switchboard.auth.grpc;

import java.util.Objects;
import java.util.Set;

import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.client.identity.PeerAuthorization;
import dev.switchboard.client.identity.SpiffeId;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * {@code Authorize} and {@code WatchRevocations} answer only the platform identities that decide on calls, routers and
 * registries, by the certificate their TLS peer proved: what a token allows and what was revoked when are theirs to
 * know, not any caller's. Other methods pass untouched. Thread-safe.
 */
public final class DecisionCallers implements ServerInterceptor {

	private static final Set<String> METHODS = Set.of(AuthGrpc.getAuthorizeMethod().getFullMethodName(),
			AuthGrpc.getWatchRevocationsMethod().getFullMethodName());

	private final Set<String> groups;

	/** @param groups the groups whose identities may ask, such as {@code router} and {@code registry} */
	public DecisionCallers(Set<String> groups) {
		this.groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		if (!METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
			return next.startCall(call, headers);
		}
		SpiffeId peer = PeerAuthorization.peerOf(call);
		Status refusal = null;
		if (peer == null) {
			refusal = Status.UNAUTHENTICATED.withDescription(
					"only the platform's routers and registries may ask for decisions: present their certificate");
		}
		else if (!this.groups.contains(peer.group())) {
			refusal = Status.PERMISSION_DENIED
				.withDescription("group '" + peer.group() + "' may not ask for decisions or revocations");
		}
		if (refusal != null) {
			call.close(refusal, new Metadata());
			return new ServerCall.Listener<>() {
			};
		}
		return next.startCall(call, headers);
	}

}
