package dev.switchboard.registry.security;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.protobuf.Message;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.AuthDecision;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.identity.PeerAuthorization;
import dev.switchboard.client.identity.SpiffeId;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Checks every Registry call against the auth service before the service sees it: Register, each Heartbeat message
 * and Deregister need {@code register:<group>} for the group the message names; Watch, ListGroups and GetGroup need
 * {@code discover}; SetOutOfService needs {@code admin}. Other services (health, reflection) pass.
 * <p>
 * With the platform identity on, Register, Heartbeat and Deregister also need the caller's TLS certificate to name
 * the group the message names: a client's token alone cannot put an instance into another group, and the reserved
 * groups ({@code auth}, {@code router}, {@code registry}) can only be joined by a process whose certificate the CA
 * issued for exactly that group.
 * <p>
 * While no auth replica can be asked, a heartbeat stream whose earlier message was allowed keeps renewing its
 * instance with that decision until the token expires: losing the auth group must not evict every instance. A new
 * stream, another group, or a refusal (revoked, disabled) still ends it.
 * <p>
 * Decisions come from the {@link CachingAuthorizer}; a miss on a call's first message blocks the calling gRPC executor
 * thread for one Authorize call, never a transport thread. A heartbeat stream is re-checked on every message, so a
 * revoked or expired token ends the stream, and the component reconnects with a fresh token; once a stream is
 * allowed, a re-check the cache cannot answer runs asynchronously, so a slow auth service never delays a heartbeat.
 */
public final class RegistryAuthorization implements ServerInterceptor {

	/** The client the current call's token belongs to, for the service; absent when calls are not authorized. */
	public static final Context.Key<String> PRINCIPAL = Context.key("switchboard-registry-principal");

	private final CachingAuthorizer authorizer;

	private final boolean requirePeerIdentity;

	private final Clock clock;

	/**
	 * @param authorizer decides on tokens
	 * @param requirePeerIdentity whether registering needs a platform certificate of the group registered
	 */
	public RegistryAuthorization(CachingAuthorizer authorizer, boolean requirePeerIdentity) {
		this(authorizer, requirePeerIdentity, Clock.systemUTC());
	}

	/**
	 * @param authorizer decides on tokens
	 * @param requirePeerIdentity whether registering needs a platform certificate of the group registered
	 * @param clock tells whether a stream's earlier decision is still within its token's life
	 */
	public RegistryAuthorization(CachingAuthorizer authorizer, boolean requirePeerIdentity, Clock clock) {
		this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
		this.requirePeerIdentity = requirePeerIdentity;
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		String method = call.getMethodDescriptor().getFullMethodName();
		if (!RegistryGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
			return next.startCall(call, headers);
		}
		String token = AuthDecision.bearerToken(headers.get(SwitchboardHeaders.AUTHORIZATION));
		Action fixedAction = fixedAction(method);
		if (fixedAction != null) {
			AuthDecision decision = decide(token, fixedAction);
			if (!decision.allowed()) {
				call.close(decision.toStatus(), new Metadata());
				return new ServerCall.Listener<>() {
				};
			}
			// Watch streams count against their client's bound
			return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, decision.principal()), call, headers,
					next);
		}
		// the action depends on the group each message names
		SpiffeId peer = PeerAuthorization.peerOf(call);
		ServerCall.Listener<Q> delegate = next.startCall(call, headers);
		return new SimpleForwardingServerCallListener<>(delegate) {

			private boolean refused;

			/** Context carrying the caller's principal; unary handlers run the service in onHalfClose, not onMessage. */
			private Context withPrincipal;

			/** The decision that allowed this stream's last message, and for which group. */
			private AuthDecision allowed;

			private String allowedGroup;

			/** A refusal an asynchronous re-check found, applied at the next message. */
			private volatile AuthDecision refusal;

			private final AtomicBoolean asking = new AtomicBoolean();

			private void refreshLater(Action action) {
				if (this.asking.compareAndSet(false, true)) {
					RegistryAuthorization.this.authorizer.authorize(token, action).whenComplete((decision, error) -> {
						if (decision != null && decision.decision() != Decision.DECISION_UNSPECIFIED
								&& !decision.allowed()) {
							this.refusal = decision;
						}
						this.asking.set(false);
					});
				}
			}

			@Override
			public void onMessage(Q message) {
				if (this.refused) {
					return;
				}
				String group = groupOf(message);
				Action action = Action.register(group);
				AuthDecision decision;
				if (this.allowed != null && group.equals(this.allowedGroup)
						&& this.allowed.expiresAt().isAfter(RegistryAuthorization.this.clock.instant())) {
					// a stream already allowed is never held up by a slow or unreachable auth service (its lease
					// would expire meanwhile): without a remembered decision it goes on, and a refusal found
					// asynchronously ends it at its next message
					decision = (this.refusal != null) ? this.refusal
							: RegistryAuthorization.this.authorizer.cached(token, action);
					if (decision == null) {
						decision = this.allowed;
						refreshLater(action);
					}
				}
				else {
					decision = decide(token, action);
				}
				if (!decision.allowed()) {
					this.refused = true;
					call.close(decision.toStatus(), new Metadata());
					return;
				}
				Status refusal = peerRefusal(peer, group);
				if (refusal != null) {
					this.refused = true;
					call.close(refusal, new Metadata());
					return;
				}
				this.allowed = decision;
				this.allowedGroup = group;
				// the service learns who is registering, so an instance id stays with the client that took it
				this.withPrincipal = Context.current().withValue(PRINCIPAL, decision.principal());
				this.withPrincipal.run(() -> super.onMessage(message));
			}

			@Override
			public void onHalfClose() {
				if (this.refused) {
					return;
				}
				if (this.withPrincipal != null) {
					this.withPrincipal.run(super::onHalfClose);
				}
				else {
					super.onHalfClose();
				}
			}
		};
	}

	/** Why a peer may not act for {@code group}, or {@code null} when it may. */
	private Status peerRefusal(SpiffeId peer, String group) {
		if (!this.requirePeerIdentity) {
			return null;
		}
		if (peer == null) {
			return Status.UNAUTHENTICATED
				.withDescription("registering in group '" + group + "' needs a platform certificate of that group");
		}
		if (!peer.group().equals(group)) {
			return Status.PERMISSION_DENIED.withDescription(
					"the caller's certificate is for group '" + peer.group() + "', not '" + group + "'");
		}
		return null;
	}

	private AuthDecision decide(String token, Action action) {
		if (token == null) {
			return AuthDecision.unauthenticated("no bearer token in the authorization header");
		}
		return this.authorizer.authorizeBlocking(token, action);
	}

	/** The action of methods whose requirement does not depend on the message, or {@code null}. */
	private static Action fixedAction(String method) {
		if (method.equals(RegistryGrpc.getWatchMethod().getFullMethodName())
				|| method.equals(RegistryGrpc.getListGroupsMethod().getFullMethodName())
				|| method.equals(RegistryGrpc.getGetGroupMethod().getFullMethodName())) {
			return Action.discover();
		}
		if (method.equals(RegistryGrpc.getSetOutOfServiceMethod().getFullMethodName())) {
			return Action.admin();
		}
		return null;
	}

	private static String groupOf(Object message) {
		if (message instanceof RegisterRequest register) {
			return register.getGroup();
		}
		if (message instanceof HeartbeatRequest heartbeat) {
			return heartbeat.getGroup();
		}
		if (message instanceof DeregisterRequest deregister) {
			return deregister.getGroup();
		}
		throw Status.INTERNAL.withDescription("unexpected registry message " + ((Message) message).getDescriptorForType()
			.getFullName()).asRuntimeException();
	}

}
