package dev.switchboard.client.identity;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Who may call this gRPC server, by the platform identity its TLS peer proved. The handshake already checked the
 * chain against the platform's trust bundle; this decides by group:
 * <ul>
 * <li>{@link #callersIn(Set)}: a component's server. Every call needs a platform certificate ({@code UNAUTHENTICATED}
 * without one) of the {@code router} group or a listed one ({@code PERMISSION_DENIED} otherwise); health answers any
 * platform identity.</li>
 * <li>{@link #identifying()}: the registry's and auth's servers, which also serve operators' tools without
 * certificates and decide by token: the peer's identity, when it has one, is only made known.</li>
 * </ul>
 * Either way {@code x-switchboard-principal} is removed unless the peer is a router: only a router may say on whose
 * behalf a call comes. Interceptors that need the peer's identity read it from the call ({@link #peerOf}): this one
 * sets no {@code Context}, since a context set here would replace, for every later callback, one that an interceptor
 * around it set (the registry's principal, for one). Register it first (highest precedence). Thread-safe.
 */
public final class PeerAuthorization implements ServerInterceptor {

	/** Where a TLS session keeps its peer's identity once read. */
	private static final String SESSION_PEER = "dev.switchboard.peer";

	/** Kept in a session whose peer presented no platform identity. */
	private static final Object NO_PEER = new Object();

	/** The standard health service, open to every platform identity. */
	private static final String HEALTH = "grpc.health.v1.Health";

	/** The group that forwards calls on behalf of callers. */
	public static final String ROUTER = "router";

	private final Set<String> allowedGroups;

	private PeerAuthorization(Set<String> allowedGroups) {
		this.allowedGroups = allowedGroups;
	}

	/** Calls only from the router and {@code groups}; health from any platform identity. */
	public static PeerAuthorization callersIn(Set<String> groups) {
		Objects.requireNonNull(groups, "groups");
		java.util.HashSet<String> allowed = new java.util.HashSet<>(groups);
		allowed.add(ROUTER);
		return new PeerAuthorization(Set.copyOf(allowed));
	}

	/** Calls from anyone the transport let in; the peer's identity, if any, is made known. */
	public static PeerAuthorization identifying() {
		return new PeerAuthorization(null);
	}

	/** The groups allowed to call, or {@code null} when any caller is. */
	public Set<String> allowedGroups() {
		return this.allowedGroups;
	}

	/**
	 * Returns the verified platform identity of a call's TLS peer, or {@code null}. Read from the certificate once
	 * per TLS session and kept in it: every call of a connection asks again, on the forwarding path.
	 */
	public static SpiffeId peerOf(ServerCall<?, ?> call) {
		SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
		if (session == null) {
			return null;
		}
		Object known = session.getValue(SESSION_PEER);
		if (known != null) {
			return (known instanceof SpiffeId id) ? id : null;
		}
		SpiffeId peer = null;
		try {
			Certificate[] chain = session.getPeerCertificates();
			peer = (chain.length > 0 && chain[0] instanceof X509Certificate leaf) ? SpiffeId.of(leaf) : null;
		}
		catch (SSLPeerUnverifiedException ex) {
			// no client certificate: remembered as such
		}
		session.putValue(SESSION_PEER, (peer != null) ? peer : NO_PEER);
		return peer;
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		SpiffeId peer = peerOf(call);
		if (peer == null || !ROUTER.equals(peer.group())) {
			headers.removeAll(SwitchboardHeaders.PRINCIPAL);
		}
		if (this.allowedGroups != null
				&& !HEALTH.equals(call.getMethodDescriptor().getServiceName())) {
			if (peer == null) {
				return refuse(call, Status.UNAUTHENTICATED
					.withDescription("a platform client certificate is required: call through the router"));
			}
			if (!this.allowedGroups.contains(peer.group())) {
				return refuse(call, Status.PERMISSION_DENIED.withDescription("group '" + peer.group()
						+ "' may not call this component directly: call through the router"));
			}
		}
		return next.startCall(call, headers);
	}

	private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
		call.close(status, new Metadata());
		return new ServerCall.Listener<>() {
		};
	}

}
