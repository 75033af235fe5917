package dev.switchboard.router.proxy;

import java.util.function.Consumer;
import java.util.function.Function;

import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.AuthDecision;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * The listener of a call waiting for its authorization, asked asynchronously because the router's calls start on its
 * event loops. No message arrives meanwhile (nothing requests one before the call starts); a cancel is remembered so
 * a late decision starts nothing. Thread-safe: the decision arrives on the auth client's thread, the rest on the
 * caller's event loop.
 *
 * @param <Q> the request message type
 */
public final class AwaitingAuthorization<Q> extends ServerCall.Listener<Q> {

	private ServerCall.Listener<Q> delegate;

	private boolean cancelled;

	/**
	 * Starts a call once the caller's bearer token is allowed {@code action}: at once on a cached decision, else when
	 * the auth service answers (the call waits meanwhile, holding no thread). Without a token, or when refused, the
	 * call gets {@code refuse}'s listener with the status to close it with: {@code UNAUTHENTICATED},
	 * {@code PERMISSION_DENIED} (from the decision's reason) or {@code UNAVAILABLE} when no auth replica answered.
	 * @param headers the call's headers, with the {@code authorization} header
	 * @param start starts the call with the token's principal; its {@link Consumer} (null when nothing waited)
	 * takes the listener the call continues with before anything can call it
	 * @param refuse closes the call with a status and returns the listener left to it
	 */
	public static <Q> ServerCall.Listener<Q> whenAllowed(CachingAuthorizer authorizer, Metadata headers, Action action,
			Start<Q> start, Function<Status, ServerCall.Listener<Q>> refuse) {
		String token = AuthDecision.bearerToken(headers.get(SwitchboardHeaders.AUTHORIZATION));
		if (token == null) {
			return refuse.apply(Status.UNAUTHENTICATED.withDescription("no bearer token in the authorization header"));
		}
		AuthDecision known = authorizer.cached(token, action);
		if (known != null) {
			return known.allowed() ? start.start(known.principal(), null) : refuse.apply(known.toStatus());
		}
		return whenDecided(authorizer, token, action, start, refuse);
	}

	/**
	 * Starts a call once the auth service has decided on {@code token}, which the cache did not know: the call waits
	 * meanwhile, holding no thread, and gets {@code refuse}'s listener when refused or when no auth replica answered.
	 * The forwarding path checks the cache itself first, so that a cached decision costs no lambda or listener.
	 */
	public static <Q> ServerCall.Listener<Q> whenDecided(CachingAuthorizer authorizer, String token, Action action,
			Start<Q> start, Function<Status, ServerCall.Listener<Q>> refuse) {
		AwaitingAuthorization<Q> waiting = new AwaitingAuthorization<>();
		authorizer.authorize(token, action).whenComplete((decision, error) -> waiting.decided((attach) -> {
			if (decision == null || !decision.allowed()) {
				return refuse.apply((decision != null) ? decision.toStatus()
						: Status.UNAVAILABLE.withDescription("authorization failed"));
			}
			return start.start(decision.principal(), attach);
		}));
		return waiting;
	}

	/** Starts an allowed call. */
	@FunctionalInterface
	public interface Start<Q> {

		ServerCall.Listener<Q> start(String principal, Consumer<ServerCall.Listener<Q>> attach);

	}

	/**
	 * Starts the call with the decision, unless the caller cancelled meanwhile: {@code start} returns the listener
	 * the call continues with, and may hand it to the {@link Consumer} first, so a message the transport delivers at
	 * once reaches it.
	 */
	synchronized void decided(Function<Consumer<ServerCall.Listener<Q>>, ServerCall.Listener<Q>> start) {
		if (!this.cancelled) {
			this.delegate = start.apply((listener) -> this.delegate = listener);
		}
	}

	@Override
	public synchronized void onMessage(Q message) {
		if (this.delegate != null) {
			this.delegate.onMessage(message);
		}
	}

	@Override
	public synchronized void onHalfClose() {
		if (this.delegate != null) {
			this.delegate.onHalfClose();
		}
	}

	@Override
	public synchronized void onCancel() {
		this.cancelled = true;
		if (this.delegate != null) {
			this.delegate.onCancel();
		}
	}

	@Override
	public synchronized void onComplete() {
		if (this.delegate != null) {
			this.delegate.onComplete();
		}
	}

	@Override
	public synchronized void onReady() {
		if (this.delegate != null) {
			this.delegate.onReady();
		}
	}

}
