package dev.switchboard.client.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * One client connection owned by a {@link ClientConnectionManager}: a channel to one target of one service, with its
 * identity and usage. Every call made on {@link #channel()} is counted and stamps the last use.
 * <p>
 * Thread-safe; share a handle freely. It is only ever closed through the manager ({@link #close()} is a shortcut),
 * after which {@link #channel()} throws and calls already holding the channel fail with {@code UNAVAILABLE}. Another
 * thread may close a shared handle at any time, so callers that race with closing must expect either failure.
 */
public final class ClientConnection {

	private final ClientConnectionManager manager;

	private final long id;

	private final String service;

	private final String target;

	private final ClientSettings settings;

	private final ManagedChannel managedChannel;

	private final Channel channel;

	private final Clock clock;

	private final long createdAtMillis;

	private final AtomicLong lastUsedMillis;

	private final LongAdder calls = new LongAdder();

	private final LongAdder serviceCalls;

	private final Throwable origin;

	private volatile boolean closed;

	ClientConnection(ClientConnectionManager manager, long id, String service, String target,
			ClientSettings settings, ManagedChannel managedChannel, Clock clock, LongAdder serviceCalls,
			Throwable origin) {
		this.manager = manager;
		this.id = id;
		this.service = service;
		this.target = target;
		this.settings = settings;
		this.managedChannel = managedChannel;
		this.clock = clock;
		this.createdAtMillis = clock.millis();
		this.lastUsedMillis = new AtomicLong(this.createdAtMillis);
		this.serviceCalls = serviceCalls;
		this.origin = origin;
		List<ClientInterceptor> interceptors = new ArrayList<>(2);
		if (settings.deadline() != null) {
			interceptors.add(new DefaultDeadlineInterceptor(settings.deadline()));
		}
		interceptors.add(new UsageInterceptor()); // last added runs first: a closed handle applies nothing
		this.channel = ClientInterceptors.intercept(managedChannel, interceptors);
	}

	/** Returns the unique, time-ordered id of this connection (a TSID). */
	public long id() {
		return this.id;
	}

	/** Returns the service this connection was opened for. */
	public String service() {
		return this.service;
	}

	/** Returns the gRPC target the channel connects to. */
	public String target() {
		return this.target;
	}

	/** Returns the effective settings the channel was built with. */
	public ClientSettings settings() {
		return this.settings;
	}

	/**
	 * Returns the channel to make calls on; every call is counted.
	 * @throws IllegalStateException if the connection is closed
	 */
	public Channel channel() {
		if (this.closed) {
			throw new IllegalStateException(closedMessage());
		}
		return this.channel;
	}

	/** Returns when the connection was opened. */
	public Instant createdAt() {
		return Instant.ofEpochMilli(this.createdAtMillis);
	}

	/** Returns when the last call started on the channel, or the opening time before the first call. */
	public Instant lastUsedAt() {
		return Instant.ofEpochMilli(this.lastUsedMillis.get());
	}

	/** Returns how long the connection has been open (or was open, for a closed one, until now). */
	public Duration age() {
		return Duration.ofMillis(Math.max(0, this.clock.millis() - this.createdAtMillis));
	}

	/** Returns the number of calls started on the channel. */
	public long calls() {
		return this.calls.sum();
	}

	/** Returns the state, from the channel's connectivity while open. Never blocks or connects. */
	public ConnectionState state() {
		if (this.closed) {
			return ConnectionState.CLOSED;
		}
		ConnectivityState connectivity = connectivity();
		if (connectivity == ConnectivityState.READY) {
			return ConnectionState.CONNECTED;
		}
		return (connectivity == ConnectivityState.SHUTDOWN) ? ConnectionState.CLOSED : ConnectionState.IDLE;
	}

	/** Returns the channel's connectivity state, or {@code null} when the channel cannot tell. */
	public ConnectivityState connectivity() {
		try {
			return this.managedChannel.getState(false);
		}
		catch (UnsupportedOperationException ex) {
			return null;
		}
	}

	/** Returns whether the connection is closed. */
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Returns the stack of the code that opened the connection, innermost frame first, when the manager captures
	 * origins; otherwise an empty list.
	 */
	public List<StackTraceElement> origin() {
		return (this.origin != null) ? List.of(this.origin.getStackTrace()) : List.of();
	}

	/**
	 * Closes the connection through its manager; see {@link ClientConnectionManager#close(long)}.
	 * @return whether this call closed it (false if it was already closed)
	 */
	public boolean close() {
		return this.manager.close(this.id);
	}

	@Override
	public String toString() {
		return "ClientConnection[id=" + this.id + ", service=" + this.service + ", target=" + this.target + ", state="
				+ state() + "]";
	}

	/** Marks the handle closed; the manager calls this once, from the thread that won the close. */
	void markClosed() {
		this.closed = true;
	}

	ManagedChannel managedChannel() {
		return this.managedChannel;
	}

	/** Returns the captured origin as a throwable (for logging its stack), or {@code null}. */
	Throwable originThrowable() {
		return this.origin;
	}

	private String closedMessage() {
		return "connection " + this.id + " to " + this.service + " is closed";
	}

	/** Fails calls on a closed handle with a clear status; counts the others and stamps the last use. */
	private final class UsageInterceptor implements ClientInterceptor {

		@Override
		public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
				CallOptions callOptions, Channel next) {
			if (ClientConnection.this.closed) {
				return new FailedCall<>(Status.UNAVAILABLE.withDescription(closedMessage()), callOptions.getExecutor());
			}
			ClientConnection.this.calls.increment();
			ClientConnection.this.serviceCalls.increment();
			long now = ClientConnection.this.clock.millis();
			long last = ClientConnection.this.lastUsedMillis.get();
			if (now > last) {
				// one write per millisecond at most; losing the race to another caller's stamp is fine
				ClientConnection.this.lastUsedMillis.compareAndSet(last, now);
			}
			return next.newCall(method, callOptions);
		}

	}

	/** A call that fails as soon as it starts, on the call's executor when it has one. */
	private static final class FailedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

		private final Status status;

		private final Executor executor;

		FailedCall(Status status, Executor executor) {
			this.status = status;
			this.executor = executor;
		}

		@Override
		public void start(Listener<RespT> listener, Metadata headers) {
			Runnable close = () -> listener.onClose(this.status, new Metadata());
			if (this.executor != null) {
				this.executor.execute(close);
			}
			else {
				close.run();
			}
		}

		@Override
		public void request(int numMessages) {
		}

		@Override
		public void cancel(String message, Throwable cause) {
		}

		@Override
		public void halfClose() {
		}

		@Override
		public void sendMessage(ReqT message) {
		}

	}

}
