package dev.switchboard.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load with async grpc-java: each caller has one call outstanding and starts the next when it ends, on
 * the thread that delivered the end (channels are expected to use a direct executor, so that is a transport thread
 * and no hand-off is measured). Warm-up calls are made but not counted; calls that end inside the measured window
 * are. Each run blocks its caller until the window has closed and every caller has stopped.
 * <p>
 * A caller's calls never overlap, so its counters need no synchronization; the end-of-run latch publishes them.
 */
public final class ClosedLoop {

	/** The longest a single call may take; it fails DEADLINE_EXCEEDED after that and counts as an error. */
	private static final long CALL_DEADLINE_SECONDS = 30;

	/** The longest the callers may take to stop once the window has closed. */
	private static final long STOP_TIMEOUT_SECONDS = 35;

	private ClosedLoop() {
	}

	/**
	 * Runs {@code streamsPerChannel} callers on each channel, each sending {@code request} to a unary method again and
	 * again.
	 */
	public static UnaryResult unary(List<? extends Channel> channels, int streamsPerChannel,
			MethodDescriptor<byte[], byte[]> method, byte[] request, Metadata headers, Phases phases, Window window)
			throws InterruptedException {
		requireArguments(channels, method, request, headers, phases, window);
		Run run = new Run(phases);
		List<UnaryCaller> callers = new ArrayList<>();
		for (Channel channel : channels) {
			for (int i = 0; i < streamsPerChannel; i++) {
				callers.add(new UnaryCaller(run, channel, method, request, headers));
			}
		}
		run.execute(callers, window);
		Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(CALL_DEADLINE_SECONDS + 5), 3);
		long calls = 0;
		long errors = 0;
		for (UnaryCaller caller : callers) {
			latency.add(caller.latency);
			calls += caller.completed;
			errors += caller.errors;
		}
		return new UnaryResult(calls, run.windowSeconds(), latency, errors, run.firstError.get());
	}

	/**
	 * Runs {@code callers} callers spread over the channels, each starting a server-streaming call with
	 * {@code request} again and again and reading every message as soon as it arrives. Messages are counted by the
	 * length of their first field, which is the payload of the sample's console chunks. Streams still running when
	 * the window closes are cancelled.
	 */
	public static StreamResult streaming(List<? extends Channel> channels, int callers,
			MethodDescriptor<byte[], byte[]> method, byte[] request, Metadata headers, Phases phases, Window window)
			throws InterruptedException {
		requireArguments(channels, method, request, headers, phases, window);
		Run run = new Run(phases);
		List<StreamingCaller> all = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			all.add(new StreamingCaller(run, channels.get(i % channels.size()), method, request, headers));
		}
		run.execute(all, window);
		long bytes = 0;
		long completed = 0;
		long errors = 0;
		for (StreamingCaller caller : all) {
			bytes += caller.windowBytes;
			completed += caller.completed;
			errors += caller.errors;
		}
		return new StreamResult(bytes, run.windowSeconds(), completed, errors, run.firstError.get());
	}

	/** Returns the length of field 1 (length-delimited) of a serialized message, or the whole length without it. */
	static int payloadLength(byte[] message) {
		if (message.length < 2 || message[0] != 0x0a) {
			return message.length;
		}
		int length = 0;
		for (int i = 1, shift = 0; i < message.length && shift < 32; i++, shift += 7) {
			length |= (message[i] & 0x7f) << shift;
			if ((message[i] & 0x80) == 0) {
				return length;
			}
		}
		return message.length;
	}

	private static void requireArguments(List<? extends Channel> channels, MethodDescriptor<byte[], byte[]> method,
			byte[] request, Metadata headers, Phases phases, Window window) {
		Objects.requireNonNull(method, "method");
		Objects.requireNonNull(request, "request");
		Objects.requireNonNull(headers, "headers");
		Objects.requireNonNull(phases, "phases");
		Objects.requireNonNull(window, "window");
		if (Objects.requireNonNull(channels, "channels").isEmpty()) {
			throw new IllegalArgumentException("no channel to load");
		}
	}

	/** One run's clock, stop flag and bookkeeping, shared by its callers. */
	private static final class Run {

		final long windowStart;

		final long windowEnd;

		final Context.CancellableContext context = Context.ROOT.withCancellation();

		final AtomicReference<String> firstError = new AtomicReference<>();

		/** Retries after an error wait a little here instead of spinning on the transport thread. */
		final ScheduledExecutorService backoff = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "bench-backoff");
			thread.setDaemon(true);
			return thread;
		});

		volatile boolean stopping;

		CountDownLatch stopped;

		Run(Phases phases) {
			this.windowStart = System.nanoTime() + phases.warmUp().toNanos();
			this.windowEnd = this.windowStart + phases.measure().toNanos();
		}

		boolean inWindow(long nanos) {
			return nanos >= this.windowStart && nanos <= this.windowEnd;
		}

		double windowSeconds() {
			return (this.windowEnd - this.windowStart) / 1e9;
		}

		void error(Status status) {
			this.firstError.compareAndSet(null, status.getCode() + ": " + status.getDescription());
		}

		void execute(List<? extends Caller> callers, Window window) throws InterruptedException {
			this.stopped = new CountDownLatch(callers.size());
			try {
				callers.forEach(Caller::next);
				sleepUntil(this.windowStart);
				window.opened();
				sleepUntil(this.windowEnd);
				this.stopping = true;
				window.closed();
				this.context.cancel(null); // cuts long streams; unary calls end on their own first, mostly
				if (!this.stopped.await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
					throw new IllegalStateException(this.stopped.getCount() + " callers did not stop");
				}
			}
			finally {
				this.stopping = true;
				this.context.cancel(null);
				this.backoff.shutdownNow();
			}
		}

		private static void sleepUntil(long nanos) throws InterruptedException {
			long left;
			while ((left = nanos - System.nanoTime()) > 0) {
				TimeUnit.NANOSECONDS.sleep(left);
			}
		}

	}

	/** One caller: one call outstanding at a time. */
	private abstract static class Caller {

		final Run run;

		final Channel channel;

		final MethodDescriptor<byte[], byte[]> method;

		final byte[] request;

		final Metadata headers;

		long completed;

		long errors;

		Caller(Run run, Channel channel, MethodDescriptor<byte[], byte[]> method, byte[] request, Metadata headers) {
			this.run = run;
			this.channel = channel;
			this.method = method;
			this.request = request;
			this.headers = headers;
		}

		/** Starts the next call, or counts this caller out once the run is stopping. */
		final void next() {
			if (this.run.stopping) {
				this.run.stopped.countDown();
				return;
			}
			Context previous = this.run.context.attach();
			try {
				ClientCall<byte[], byte[]> call = this.channel.newCall(this.method,
						CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS));
				// a call takes its headers over (grpc-java adds and removes its own), so each gets a copy
				Metadata headers = new Metadata();
				headers.merge(this.headers);
				start(call, headers);
			}
			catch (RuntimeException ex) {
				failed(Status.fromThrowable(ex)); // keeps the caller going; the error is counted
			}
			finally {
				this.run.context.detach(previous);
			}
		}

		abstract void start(ClientCall<byte[], byte[]> call, Metadata headers);

		/** Counts a failed call and starts the next one a millisecond later, off the transport thread. */
		final void failed(Status status) {
			if (this.run.stopping) {
				this.run.stopped.countDown();
				return;
			}
			this.errors++;
			this.run.error(status);
			try {
				this.run.backoff.schedule(this::next, 1, TimeUnit.MILLISECONDS);
			}
			catch (java.util.concurrent.RejectedExecutionException ex) {
				this.run.stopped.countDown(); // the run is over
			}
		}

	}

	private static final class UnaryCaller extends Caller {

		final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(CALL_DEADLINE_SECONDS + 5), 3);

		UnaryCaller(Run run, Channel channel, MethodDescriptor<byte[], byte[]> method, byte[] request,
				Metadata headers) {
			super(run, channel, method, request, headers);
		}

		@Override
		void start(ClientCall<byte[], byte[]> call, Metadata headers) {
			long started = System.nanoTime();
			call.start(new ClientCall.Listener<>() {

				@Override
				public void onClose(Status status, Metadata trailers) {
					long ended = System.nanoTime();
					if (!status.isOk()) {
						failed(status);
						return;
					}
					if (UnaryCaller.this.run.inWindow(ended)) {
						UnaryCaller.this.latency.recordValue(Math.min(ended - started,
								UnaryCaller.this.latency.getHighestTrackableValue()));
						UnaryCaller.this.completed++;
					}
					next();
				}

			}, headers);
			call.request(1);
			call.sendMessage(this.request);
			call.halfClose();
		}

	}

	private static final class StreamingCaller extends Caller {

		long windowBytes;

		StreamingCaller(Run run, Channel channel, MethodDescriptor<byte[], byte[]> method, byte[] request,
				Metadata headers) {
			super(run, channel, method, request, headers);
		}

		@Override
		void start(ClientCall<byte[], byte[]> call, Metadata headers) {
			call.start(new ClientCall.Listener<>() {

				@Override
				public void onMessage(byte[] message) {
					if (StreamingCaller.this.run.inWindow(System.nanoTime())) {
						StreamingCaller.this.windowBytes += payloadLength(message);
					}
					call.request(1);
				}

				@Override
				public void onClose(Status status, Metadata trailers) {
					if (!status.isOk()) {
						failed(status);
						return;
					}
					if (StreamingCaller.this.run.inWindow(System.nanoTime())) {
						StreamingCaller.this.completed++;
					}
					next();
				}

			}, headers);
			call.request(1);
			call.sendMessage(this.request);
			call.halfClose();
		}

	}

}
