package dev.switchboard.router.proxy;

import java.util.function.Consumer;
import java.util.function.Function;

import io.grpc.ServerCall;

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
	 * Starts the call with the decision, unless the caller cancelled meanwhile: {@code start} returns the listener
	 * the call continues with, and may hand it to the {@link Consumer} first, so a message the transport delivers at
	 * once reaches it.
	 */
	public synchronized void decided(Function<Consumer<ServerCall.Listener<Q>>, ServerCall.Listener<Q>> start) {
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
