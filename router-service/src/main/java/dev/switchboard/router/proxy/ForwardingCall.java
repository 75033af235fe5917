package dev.switchboard.router.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.table.GroupRoute;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * One call through the router: the caller's side ({@link ServerCall}) wired to an upstream {@link ClientCall} on a
 * replica, bytes passed through untouched.
 * <p>
 * <b>Threads.</b> The server and channels run on direct executors, so the caller-side callbacks (this listener) run on
 * the event loop of the caller's connection and the upstream callbacks ({@link Attempt}) on the event loop of the
 * replica's connection; they are usually the same thread. Every callback takes this call's monitor, uncontended in the
 * common case, so state is only ever touched by one thread at a time. Nothing here blocks.
 * <p>
 * <b>Flow control.</b> One message at a time in each direction: a caller message is requested only when the upstream
 * call is ready for more, and an upstream message only when the caller is ready for more, so a slow consumer on either
 * side holds at most one message in the router.
 * <p>
 * <b>Buffers.</b> Request messages are arrays (a call may replay them on another replica). A response message is the
 * upstream transport's own buffers, detached ({@link ResponseMarshaller}): the attempt that receives one either passes
 * it to the caller's call, whose transport writes and releases it, or releases it itself.
 * <p>
 * <b>Failover.</b> Until the first response header or message arrives, the call keeps the request messages it
 * forwarded (up to a byte limit). If the attempt then fails with {@code UNAVAILABLE} before any request byte was
 * handed to a live transport stream (the connection failed or never came up), or the replica never processed the
 * request (a refused stream, or one above its {@code GOAWAY}'s last stream id: {@link Unprocessed}), or the group
 * declares the method idempotent, the call is replayed on another replica, within the attempt limit and the retry
 * budget. After that it is committed: upstream statuses and trailers reach the caller untouched.
 */
final class ForwardingCall extends ServerCall.Listener<byte[]> {

	private final ServerCall<byte[], InputStream> serverCall;

	private final ProxiedMethod method;

	private final Metadata headers;

	private final CallOptions options;

	private final GroupRoute route;

	private final boolean designated;

	private final ForwardingContext context;

	private final long startNanos;

	private Attempt attempt;

	private int attempts;

	private List<byte[]> replay = new ArrayList<>(1);

	private long replayBytes;

	private boolean committed;

	private boolean halfClosed;

	private boolean closed;

	private boolean headersSent;

	/** The caller sent a message we have not asked the next one for, because upstream was not ready. */
	private boolean awaitingUpstreamReady;

	/** Upstream sent a message we have not asked the next one for, because the caller was not ready. */
	private boolean awaitingCallerReady;

	ForwardingCall(ServerCall<byte[], InputStream> serverCall, ProxiedMethod method, Metadata headers,
			CallOptions options, GroupRoute route, boolean designated, ForwardingContext context) {
		this.serverCall = serverCall;
		this.method = method;
		this.headers = headers;
		this.options = options;
		this.route = route;
		this.designated = designated;
		this.context = context;
		this.startNanos = context.nanoTime();
	}

	/** Starts the first attempt on {@code replica} and asks the caller for its first message. */
	synchronized void start(Replica replica) {
		this.context.budget().onCall();
		startAttempt(replica, this.headers);
		this.serverCall.request(1);
	}

	private void startAttempt(Replica replica, Metadata upstreamHeaders) {
		Attempt next = new Attempt(replica);
		ClientCall<byte[], InputStream> call = this.context.channels()
			.channel(replica)
			.newCall(this.method.descriptor(), this.options.withStreamTracerFactory(next.tracerFactory()));
		next.call = call;
		this.attempts++;
		this.attempt = next;
		replica.callStarted();
		call.start(next, upstreamHeaders);
		call.request(1);
		for (byte[] message : this.replay) {
			call.sendMessage(message);
		}
		if (this.halfClosed) {
			call.halfClose();
		}
	}

	// caller side

	@Override
	public synchronized void onMessage(byte[] message) {
		if (this.closed) {
			return;
		}
		if (!this.committed) {
			this.replayBytes += message.length;
			if (this.replayBytes > this.context.settings().replayLimitBytes()) {
				commit();
			}
			else {
				this.replay.add(message);
			}
		}
		ClientCall<byte[], InputStream> call = this.attempt.call;
		call.sendMessage(message);
		if (call.isReady()) {
			this.serverCall.request(1);
		}
		else {
			this.awaitingUpstreamReady = true;
		}
	}

	@Override
	public synchronized void onHalfClose() {
		if (this.closed) {
			return;
		}
		this.halfClosed = true;
		this.attempt.call.halfClose();
	}

	@Override
	public synchronized void onCancel() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.attempt.call.cancel("the caller cancelled the call", null);
		record(Status.Code.CANCELLED);
	}

	@Override
	public synchronized void onReady() {
		if (this.awaitingCallerReady && !this.closed) {
			this.awaitingCallerReady = false;
			this.attempt.call.request(1);
		}
	}

	// upstream side, called by the current attempt

	private void upstreamHeaders(Metadata responseHeaders) {
		commit();
		HeaderFilter.strip(responseHeaders);
		this.serverCall.sendHeaders(responseHeaders);
		this.headersSent = true;
	}

	/** Passes {@code message} on to the caller; from here on the caller's transport owns (and releases) it. */
	private void upstreamMessage(ClientCall<byte[], InputStream> call, InputStream message) {
		commit();
		try {
			if (!this.headersSent) {
				this.serverCall.sendHeaders(new Metadata());
				this.headersSent = true;
			}
			this.serverCall.sendMessage(message);
		}
		catch (RuntimeException ex) {
			// refused before the transport took the message over: nobody else will release it
			release(message);
			throw ex;
		}
		if (this.serverCall.isReady()) {
			call.request(1);
		}
		else {
			this.awaitingCallerReady = true;
		}
	}

	private void upstreamReady() {
		if (this.awaitingUpstreamReady) {
			this.awaitingUpstreamReady = false;
			this.serverCall.request(1);
		}
	}

	private void upstreamClosed(Attempt ended, Status status, Metadata trailers) {
		boolean reached = ended.responded || status.getCode() != Status.Code.UNAVAILABLE;
		ended.replica.callEnded(reached, this.context.nanoTime());
		if (this.closed || ended != this.attempt) {
			return;
		}
		if (shouldRetry(ended, status)) {
			Replica next = this.context.selector().select(this.route, ended.replica);
			if (next != null) {
				Metadata copy = new Metadata();
				copy.merge(this.headers);
				startAttempt(next, copy);
				return;
			}
		}
		this.closed = true;
		HeaderFilter.strip(trailers);
		this.serverCall.close(status, trailers);
		record(status.getCode());
	}

	private boolean shouldRetry(Attempt ended, Status status) {
		if (this.committed || this.designated || status.getCode() != Status.Code.UNAVAILABLE
				|| this.attempts >= this.context.settings().maxAttempts()) {
			return false;
		}
		boolean safe = !ended.wroteToWire || Unprocessed.neverProcessed(status)
				|| this.route.isIdempotent(this.method.fullMethodName());
		return safe && this.context.budget().tryRetry();
	}

	private void commit() {
		if (!this.committed) {
			this.committed = true;
			this.replay = List.of();
		}
	}

	/** Releases a response message that will not be written; closing one twice is harmless. */
	private static void release(InputStream message) {
		try {
			message.close();
		}
		catch (IOException ex) {
			// nothing left to do with it: the buffers were released, or never will be
		}
	}

	private void record(Status.Code code) {
		this.method.meters(this.route.group()).record(code, this.context.nanoTime() - this.startNanos);
	}

	/**
	 * One attempt on one replica: the upstream call's listener, and a stream tracer that notices when a request message
	 * is handed to a live transport stream (after which a retry could run the request twice).
	 */
	private final class Attempt extends ClientCall.Listener<InputStream> {

		private final Replica replica;

		private ClientCall<byte[], InputStream> call;

		private volatile boolean wroteToWire;

		private boolean responded;

		Attempt(Replica replica) {
			this.replica = replica;
		}

		ClientStreamTracer.Factory tracerFactory() {
			return new ClientStreamTracer.Factory() {
				@Override
				public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
					return new ClientStreamTracer() {
						// called once a request message is handed to a live transport stream; a call that fails
						// before that (connection refused, no transport yet) never sent anything
						@Override
						public void outboundMessage(int seqNo) {
							Attempt.this.wroteToWire = true;
						}
					};
				}
			};
		}

		@Override
		public void onHeaders(Metadata responseHeaders) {
			synchronized (ForwardingCall.this) {
				this.responded = true;
				if (isCurrent()) {
					upstreamHeaders(responseHeaders);
				}
			}
		}

		/** Takes {@code message} over from the upstream transport: it must be passed on or released. */
		@Override
		public void onMessage(InputStream message) {
			synchronized (ForwardingCall.this) {
				this.responded = true;
				if (isCurrent()) {
					upstreamMessage(this.call, message);
				}
				else {
					release(message); // a superseded attempt, or the call is over: it goes nowhere
				}
			}
		}

		@Override
		public void onReady() {
			synchronized (ForwardingCall.this) {
				if (isCurrent()) {
					upstreamReady();
				}
			}
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			synchronized (ForwardingCall.this) {
				upstreamClosed(this, status, trailers);
			}
		}

		private boolean isCurrent() {
			return ForwardingCall.this.attempt == this && !ForwardingCall.this.closed;
		}

	}

}
