package dev.switchboard.component.registration;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.component.load.CallLoad;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegisterResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one instance registered: registers it, holds its heartbeat stream, and on any failure opens the stream (or
 * registers) again after a jittered backoff, on the same channel, whose policy has moved to a reachable registry
 * replica by then ({@link RegistryChannels}). A heartbeat answered {@code NOT_FOUND} (evicted, or the registry lost
 * its state) registers again at once.
 * <p>
 * All state lives on one scheduler thread: gRPC callbacks only hand work to it. Public methods are thread-safe;
 * {@link #start()} and {@link #stop()} return at once, {@link #deregister(Duration)} blocks until done or the timeout.
 */
public final class HeartbeatSession {

	private static final Logger logger = LoggerFactory.getLogger(HeartbeatSession.class);

	private final RegistryChannels channels;

	private final ComponentRegistration registration;

	private final Supplier<InstanceStatus> status;

	private final CallLoad load;

	private final Backoff backoff;

	private final Duration timeout;

	private final ScheduledExecutorService scheduler;

	private Duration interval = Duration.ofSeconds(1);

	private boolean registered;

	private boolean stopped;

	private Responses stream;

	private ScheduledFuture<?> ticker;

	private ScheduledFuture<?> reconnect;

	private volatile InstanceStatus lastAcknowledged = InstanceStatus.INSTANCE_STATUS_UNSPECIFIED;

	/**
	 * @param channels the channel over the registry replicas
	 * @param registration what to register
	 * @param status the status to report, asked before every heartbeat
	 * @param load the calls in flight and completed, to report
	 * @param backoff waits between reconnects
	 * @param timeout deadline of unary registry calls
	 * @param scheduler a single-threaded scheduler, which sessions may share; its owner shuts it down
	 */
	public HeartbeatSession(RegistryChannels channels, ComponentRegistration registration,
			Supplier<InstanceStatus> status, CallLoad load, Backoff backoff, Duration timeout,
			ScheduledExecutorService scheduler) {
		this.channels = Objects.requireNonNull(channels, "channels");
		this.registration = Objects.requireNonNull(registration, "registration");
		this.status = Objects.requireNonNull(status, "status");
		this.load = Objects.requireNonNull(load, "load");
		this.backoff = Objects.requireNonNull(backoff, "backoff");
		this.timeout = Objects.requireNonNull(timeout, "timeout");
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
	}

	/** Registers and starts heartbeating, in the background. */
	public void start() {
		submit(this::connect);
	}

	/** Returns the effective status the registry last acknowledged for this instance. */
	public InstanceStatus acknowledgedStatus() {
		return this.lastAcknowledged;
	}

	/** Sends a heartbeat now, so a status change reaches the registry without waiting for the next tick. */
	public void heartbeatNow() {
		submit(this::beat);
	}

	/**
	 * Stops heartbeating and cancels the stream, without deregistering: the registry marks the instance DOWN and
	 * evicts it after the TTL.
	 */
	public void stop() {
		submit(() -> {
			this.stopped = true;
			cancelTasks();
			if (this.stream != null) {
				this.stream.requests.cancel("stopped", null);
				this.stream = null;
			}
		});
	}

	/**
	 * Stops heartbeating, closes the stream and deregisters with one call, which the channel sends to a reachable
	 * replica; it fails only when none is, or when the registry does not answer within the timeout.
	 * @return whether a registry confirmed the deregistration (or no longer knew the instance)
	 */
	public boolean deregister(Duration wait) {
		CompletableFuture<Boolean> done = new CompletableFuture<>();
		this.scheduler.execute(() -> done.complete(stopAndDeregister()));
		try {
			return done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException | TimeoutException ex) {
			return false;
		}
	}

	private void connect() {
		this.reconnect = null;
		if (this.stopped) {
			return;
		}
		try {
			if (!this.registered) {
				ClientCall<RegisterRequest, RegisterResponse> call = this.channels.channel()
					.newCall(RegistryGrpc.getRegisterMethod(), unaryOptions());
				RegisterResponse response = ClientCalls.blockingUnaryCall(call,
						this.registration.toRequest(this.status.get()));
				this.registered = true;
				this.interval = Duration.ofMillis(Math.max(100, response.getLease().getHeartbeatIntervalMillis()));
				logger.info("Registered {} with registry {}", this.registration, RegistryChannels.replicaOf(call));
			}
			Responses responses = new Responses(
					this.channels.channel().newCall(RegistryGrpc.getHeartbeatMethod(), CallOptions.DEFAULT));
			ClientCalls.asyncBidiStreamingCall(responses.call, responses);
			this.stream = responses;
			beat();
			scheduleTicks();
		}
		catch (StatusRuntimeException ex) {
			failed(null, ex);
		}
	}

	private void scheduleTicks() {
		if (this.ticker != null) {
			this.ticker.cancel(false);
		}
		long millis = this.interval.toMillis();
		this.ticker = this.scheduler.scheduleAtFixedRate(this::beat, millis, millis, TimeUnit.MILLISECONDS);
	}

	private void beat() {
		if (this.stream == null || this.stopped) {
			return;
		}
		try {
			this.stream.requests.onNext(HeartbeatRequest.newBuilder()
				.setGroup(this.registration.getServiceId())
				.setInstanceId(this.registration.getInstanceId())
				.setStatus(this.status.get())
				.setInFlight(this.load.inFlight())
				.setCallsTotal(this.load.completed())
				.build());
		}
		catch (RuntimeException ex) {
			failed(this.stream, ex);
		}
	}

	/**
	 * On the scheduler thread: drop the stream that failed and open it again later; the channel will have moved to a
	 * reachable replica.
	 */
	private void failed(Responses failedStream, Throwable error) {
		if (failedStream != this.stream || this.stopped) {
			return;
		}
		// a failed registration has no stream, and its call did not say where it went
		String from = (failedStream != null) ? RegistryChannels.replicaOf(failedStream.call) : "(no replica reached)";
		if (this.stream != null) {
			this.stream.requests.cancel("reconnecting", null);
			this.stream = null;
		}
		if (this.ticker != null) {
			this.ticker.cancel(false);
			this.ticker = null;
		}
		Status status = Status.fromThrowable(error);
		if (status.getCode() == Status.Code.NOT_FOUND) {
			// evicted, or the registry lost its state: register again at once (the channel stays on this replica)
			this.registered = false;
			logger.info("Registry no longer knows {}; registering again", this.registration.getInstanceId());
			this.reconnect = this.scheduler.schedule(this::connect, 0, TimeUnit.MILLISECONDS);
			return;
		}
		Duration wait = this.backoff.next();
		if (status.getCode() == Status.Code.INVALID_ARGUMENT || status.getCode() == Status.Code.ALREADY_EXISTS) {
			logger.error("Registry refused {}: {}; retrying in {} ms", this.registration.getInstanceId(),
					status.getDescription(), wait.toMillis());
		}
		else {
			logger.info("Lost registry {} ({}: {}); reconnecting in {} ms", from, status.getCode(),
					status.getDescription(), wait.toMillis());
		}
		this.reconnect = this.scheduler.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
	}

	private boolean stopAndDeregister() {
		this.stopped = true;
		cancelTasks();
		if (this.stream != null) {
			this.stream.requests.onCompleted();
			this.stream = null;
		}
		if (!this.registered) {
			return false;
		}
		DeregisterRequest request = DeregisterRequest.newBuilder()
			.setGroup(this.registration.getServiceId())
			.setInstanceId(this.registration.getInstanceId())
			.build();
		ClientCall<DeregisterRequest, ?> call = this.channels.channel()
			.newCall(RegistryGrpc.getDeregisterMethod(), unaryOptions());
		try {
			ClientCalls.blockingUnaryCall(call, request);
			logger.info("Deregistered {} from registry {}", this.registration.getInstanceId(),
					RegistryChannels.replicaOf(call));
			this.registered = false;
			return true;
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() == Status.Code.NOT_FOUND) {
				this.registered = false;
				return true;
			}
			logger.warn("Could not deregister {}: {}", this.registration.getInstanceId(), ex.getStatus());
			return false;
		}
	}

	private CallOptions unaryOptions() {
		return CallOptions.DEFAULT.withDeadlineAfter(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void cancelTasks() {
		if (this.ticker != null) {
			this.ticker.cancel(false);
		}
		if (this.reconnect != null) {
			this.reconnect.cancel(false);
		}
	}

	/** Hands work to the scheduler thread; after shutdown there is nothing left to do. */
	private void submit(Runnable task) {
		try {
			this.scheduler.execute(task);
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Session already stopped; dropping {}", task);
		}
	}

	/** One heartbeat stream: its call, its requests, and its answers, which gRPC delivers one at a time. */
	private final class Responses implements ClientResponseObserver<HeartbeatRequest, HeartbeatResponse> {

		private final ClientCall<HeartbeatRequest, HeartbeatResponse> call;

		private ClientCallStreamObserver<HeartbeatRequest> requests;

		Responses(ClientCall<HeartbeatRequest, HeartbeatResponse> call) {
			this.call = call;
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<HeartbeatRequest> requests) {
			this.requests = requests;
		}

		@Override
		public void onNext(HeartbeatResponse response) {
			HeartbeatSession.this.lastAcknowledged = response.getStatus();
			long millis = response.getLease().getHeartbeatIntervalMillis();
			submit(() -> {
				HeartbeatSession.this.backoff.reset();
				if (millis >= 100 && millis != HeartbeatSession.this.interval.toMillis()
						&& this == HeartbeatSession.this.stream) {
					HeartbeatSession.this.interval = Duration.ofMillis(millis);
					scheduleTicks();
				}
			});
		}

		@Override
		public void onError(Throwable error) {
			submit(() -> failed(this, error));
		}

		@Override
		public void onCompleted() {
			submit(() -> failed(this, Status.UNAVAILABLE.withDescription("stream closed").asException()));
		}

	}

}
