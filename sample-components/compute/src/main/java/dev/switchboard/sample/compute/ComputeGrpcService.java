package dev.switchboard.sample.compute;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.google.protobuf.UnsafeByteOperations;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.ConsoleChunk;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.DeleteServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import dev.switchboard.sample.compute.v1.ListServersResponse;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.ServerEvent;
import dev.switchboard.sample.compute.v1.StreamConsoleOutputRequest;
import dev.switchboard.sample.compute.v1.WatchServerEventsRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * The {@code switchboard.sample.compute.v1.Compute} service over a {@link ServerStore}. Every reply and event names
 * the replica that served it in {@code served_by}.
 * <p>
 * Errors are sent with {@code onError}, never thrown, so they reach the caller the same way with or without Spring's
 * exception handling: refusals keep their code and one-line reason, anything unexpected becomes {@code INTERNAL}
 * without details (logged here).
 */
final class ComputeGrpcService extends ComputeGrpc.ComputeImplBase {

	/** The one place where this service turns exceptions into statuses. */
	private static final ServiceExceptionHandler exceptions = ServiceExceptionHandler.of("compute");

	/** The most networks one server is plugged into. */
	static final int MAX_NETWORKS = 8;

	private final ServerStore store;

	private final NetworkPorts ports;

	private final Supplier<String> servedBy;

	/**
	 * @param store holds the servers
	 * @param ports makes the ports of servers created with networks
	 * @param servedBy the name of this replica, asked on every reply
	 */
	ComputeGrpcService(ServerStore store, NetworkPorts ports, Supplier<String> servedBy) {
		this.store = Objects.requireNonNull(store, "store");
		this.ports = Objects.requireNonNull(ports, "ports");
		this.servedBy = Objects.requireNonNull(servedBy, "servedBy");
	}

	@Override
	public void createServer(CreateServerRequest request, StreamObserver<Server> responses) {
		exceptions.reply(responses, () -> create(request).toProto(this.servedBy.get()));
	}

	/** Creates the server, then has it plugged into its networks; a server that gets no port is deleted again. */
	private ServerRecord create(CreateServerRequest request) {
		List<String> networks = networks(request);
		ServerRecord server = this.store.create(request.getName(), request.getFlavor(), request.getImage());
		if (networks.isEmpty()) {
			return server;
		}
		try {
			// the network group asks this very replica about the server: it is in the store, BUILDING, by now
			return this.store.attachPorts(server.id(), this.ports.plug(server.id(), this.servedBy.get(), networks));
		}
		catch (RuntimeException ex) {
			try {
				this.store.delete(server.id());
			}
			catch (RefusalException alreadyGone) {
				// deleted meanwhile by a caller who guessed its id: nothing left to undo
			}
			throw ex;
		}
	}

	private static List<String> networks(CreateServerRequest request) {
		List<String> networks = request.getNetworksList();
		if (networks.size() > MAX_NETWORKS) {
			throw RefusalException.invalidArgument(
					"a server is plugged into at most " + MAX_NETWORKS + " networks, not " + networks.size());
		}
		for (String network : networks) {
			if (network.isBlank() || network.length() > ServerStore.MAX_NAME_LENGTH) {
				throw RefusalException.invalidArgument(
						"every network needs a name of at most " + ServerStore.MAX_NAME_LENGTH + " characters");
			}
		}
		return networks;
	}

	@Override
	public void getServer(GetServerRequest request, StreamObserver<Server> responses) {
		exceptions.reply(responses, () -> this.store.get(request.getId()).toProto(this.servedBy.get()));
	}

	@Override
	public void listServers(ListServersRequest request, StreamObserver<ListServersResponse> responses) {
		exceptions.reply(responses, () -> {
			String replica = this.servedBy.get();
			ListServersResponse.Builder response = ListServersResponse.newBuilder();
			this.store.list().forEach((server) -> response.addServers(server.toProto(replica)));
			return response.build();
		});
	}

	@Override
	public void deleteServer(DeleteServerRequest request, StreamObserver<Server> responses) {
		exceptions.reply(responses, () -> this.store.delete(request.getId()).toProto(this.servedBy.get()));
	}

	@Override
	public void watchServerEvents(WatchServerEventsRequest request, StreamObserver<ServerEvent> responses) {
		ServerCallStreamObserver<ServerEvent> observer = (ServerCallStreamObserver<ServerEvent>) responses;
		EventStream stream = new EventStream(observer);
		// set before the first event: with a cancel handler, onNext after cancellation is dropped instead of throwing
		observer.setOnCancelHandler(stream::cancel);
		try {
			stream.subscribed(this.store.watch(request.getId(), stream));
		}
		catch (RuntimeException ex) {
			observer.onError(exceptions.toStatus(ex).asRuntimeException());
		}
	}

	@Override
	public void streamConsoleOutput(StreamConsoleOutputRequest request, StreamObserver<ConsoleChunk> responses) {
		ServerCallStreamObserver<ConsoleChunk> observer = (ServerCallStreamObserver<ConsoleChunk>) responses;
		ConsoleStream stream;
		try {
			stream = consoleStream(request, observer);
		}
		catch (RuntimeException ex) {
			observer.onError(exceptions.toStatus(ex).asRuntimeException());
			return;
		}
		observer.setOnCancelHandler(stream::cancel);
		// gRPC runs the handler once this method has returned if the call is ready by then, and again each time the
		// transport becomes ready after it was not: nothing is sent from here
		observer.setOnReadyHandler(stream::drain);
	}

	private ConsoleStream consoleStream(StreamConsoleOutputRequest request,
			ServerCallStreamObserver<ConsoleChunk> observer) {
		if (request.getServerId().isBlank()) {
			throw RefusalException.invalidArgument("server_id is required");
		}
		if (request.getMaxBytes() < 0 || request.getMaxBytes() > ConsoleLog.MAX_STREAM_BYTES) {
			throw RefusalException.invalidArgument("max_bytes must be between 0 and " + ConsoleLog.MAX_STREAM_BYTES
					+ ", was " + request.getMaxBytes());
		}
		if (request.getChunkSize() < 0 || request.getChunkSize() > ConsoleLog.MAX_CHUNK_SIZE) {
			throw RefusalException.invalidArgument("chunk_size must be between 0 and " + ConsoleLog.MAX_CHUNK_SIZE
					+ ", was " + request.getChunkSize());
		}
		ConsoleLog console = ConsoleLog.of(this.store.get(request.getServerId()));
		long total = (request.getMaxBytes() == 0) ? console.length() : request.getMaxBytes();
		int chunkSize = (request.getChunkSize() == 0) ? ConsoleLog.DEFAULT_CHUNK_SIZE : request.getChunkSize();
		return new ConsoleStream(observer, console, total, chunkSize, this.servedBy.get());
	}

	/**
	 * One WatchServerEvents call. The store calls {@link #accept} for one server at a time (the first time on the
	 * gRPC thread that started the call, then on the thread that changed the server), so {@code onNext} never
	 * overlaps. At most three events are ever sent, so there is no flow control beyond gRPC's own buffer.
	 */
	private final class EventStream implements Consumer<ServerChange> {

		private final ServerCallStreamObserver<ServerEvent> observer;

		private volatile ServerStore.Subscription subscription;

		private volatile boolean cancelled;

		EventStream(ServerCallStreamObserver<ServerEvent> observer) {
			this.observer = observer;
		}

		@Override
		public void accept(ServerChange change) {
			ServerRecord server = change.server();
			this.observer.onNext(ServerEvent.newBuilder()
				.setServerId(server.id())
				.setState(server.state())
				.setMessage(change.message())
				.setTimestamp(ServerRecord.timestamp(server.stateSince()))
				.setServedBy(ComputeGrpcService.this.servedBy.get())
				.build());
			if (change.isLast()) {
				this.observer.onCompleted(); // the store drops this watcher after the last change
			}
		}

		void subscribed(ServerStore.Subscription subscription) {
			this.subscription = subscription;
			if (this.cancelled) {
				subscription.close(); // cancelled before the subscription was known
			}
		}

		/** Runs on the call's executor when the caller cancels or the deadline passes. */
		void cancel() {
			this.cancelled = true;
			ServerStore.Subscription current = this.subscription;
			if (current != null) {
				current.close();
			}
		}

	}

	/**
	 * One StreamConsoleOutput call: sends chunks only while the transport is ready, so at most about one chunk over
	 * gRPC's ready threshold (32 KiB) waits in the replica's memory whatever the caller's pace. {@link #drain} and
	 * {@link #cancel} both run on the call's serializing executor, one at a time, so the position needs no lock.
	 */
	private static final class ConsoleStream {

		private final ServerCallStreamObserver<ConsoleChunk> observer;

		private final ConsoleLog console;

		private final long total;

		private final int chunkSize;

		private final String servedBy;

		private long sent;

		private boolean finished;

		ConsoleStream(ServerCallStreamObserver<ConsoleChunk> observer, ConsoleLog console, long total, int chunkSize,
				String servedBy) {
			this.observer = observer;
			this.console = console;
			this.total = total;
			this.chunkSize = chunkSize;
			this.servedBy = servedBy;
		}

		/** Sends while the transport takes more, completes after the last byte; a no-op once finished. */
		void drain() {
			while (!this.finished && this.sent < this.total && this.observer.isReady()) {
				byte[] data = new byte[(int) Math.min(this.chunkSize, this.total - this.sent)];
				this.console.copy(this.sent, data);
				// the array is never written again, so the chunk can wrap it instead of copying it
				this.observer.onNext(ConsoleChunk.newBuilder()
					.setData(UnsafeByteOperations.unsafeWrap(data))
					.setOffset(this.sent)
					.setServedBy(this.servedBy)
					.build());
				this.sent += data.length;
			}
			if (!this.finished && this.sent == this.total) {
				this.finished = true;
				this.observer.onCompleted();
			}
		}

		/** The caller cancelled or the deadline passed: send nothing more. */
		void cancel() {
			this.finished = true;
		}

	}

}
