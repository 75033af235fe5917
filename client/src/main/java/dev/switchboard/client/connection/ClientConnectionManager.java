package dev.switchboard.client.connection;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.github.f4b6a3.tsid.TsidFactory;
import io.grpc.ManagedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.switchboard.client.connection.ClientConnectionsDescriptor.ConnectionDescriptor;
import dev.switchboard.client.connection.ClientConnectionsDescriptor.HeldConnection;
import dev.switchboard.client.connection.ConnectionLimitException.Scope;

/**
 * The one owner of every gRPC client connection a process opens: opens them within caps, caches the shared one per
 * service and target, hands them out, counts their use and closes them.
 * <p>
 * Thread-safe. Handing out a cached connection takes no lock ({@link ConcurrentHashMap} reads and a volatile flag);
 * opening one reserves a slot under both caps by compare-and-set first, so the caps hold exactly under any
 * concurrency and a full cap fails at once with a {@link ConnectionLimitException}, never waits. Opening does not
 * block (channels connect lazily). Closing blocks for up to the close timeout while in-flight calls finish.
 * <p>
 * Lifecycle: usable from construction until {@link #close()}, which logs every connection still open, closes them
 * all and refuses any further opening. Plain Java; Spring only adds it as a bean.
 */
public final class ClientConnectionManager implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ClientConnectionManager.class);

	/** One factory for the process, so ids are unique and increasing across every manager in it. */
	private static final TsidFactory IDS = TsidFactory.newInstance1024();

	private static final Duration ONE_MINUTE = Duration.ofMinutes(1);

	private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

	private final ConnectionManagerSettings settings;

	private final ChannelFactory channelFactory;

	private final Clock clock;

	private final ConcurrentHashMap<Long, ClientConnection> connections = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, ServiceConnections> services = new ConcurrentHashMap<>();

	private final AtomicInteger live = new AtomicInteger();

	private final AtomicInteger peak = new AtomicInteger();

	private final LongAdder opened = new LongAdder();

	private final LongAdder closed = new LongAdder();

	private final SlidingWindowCounter opens;

	private final SlidingWindowCounter closes;

	private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();

	private final AtomicBoolean shutdown = new AtomicBoolean();

	/** A manager with the {@link ChannelFactory#grpc() gRPC channel factory} and the system clock. */
	public ClientConnectionManager(ConnectionManagerSettings settings) {
		this(settings, ChannelFactory.grpc(), Clock.systemUTC());
	}

	/**
	 * @param settings the per-service settings, caps and bookkeeping knobs
	 * @param channelFactory opens the channel of each new connection
	 * @param clock the time for creation, last use, ages and rates; tests pass one they move
	 */
	public ClientConnectionManager(ConnectionManagerSettings settings, ChannelFactory channelFactory, Clock clock) {
		this.settings = Objects.requireNonNull(settings, "settings");
		this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.opens = new SlidingWindowCounter(FIVE_MINUTES, clock::millis);
		this.closes = new SlidingWindowCounter(FIVE_MINUTES, clock::millis);
	}

	/** Returns the settings the manager was created with. */
	public ConnectionManagerSettings settings() {
		return this.settings;
	}

	/**
	 * Returns the shared connection to the configured address of {@code service}, opening it if there is none.
	 * @throws IllegalArgumentException if no address is configured for the service
	 * @throws ConnectionLimitException if a new connection would exceed a cap
	 * @throws IllegalStateException if the manager is closed
	 */
	public ClientConnection acquire(String service) {
		Objects.requireNonNull(service, "service");
		ServiceConnections entry = entry(service);
		String address = entry.settings.address();
		if (address == null) {
			throw new IllegalArgumentException("no address configured for service " + service
					+ " (switchboard.grpc.clients." + service + ".address)");
		}
		return acquire(entry, address);
	}

	/**
	 * Returns the shared connection to {@code target} for {@code service}, opening it if there is none. Threads that
	 * ask for the same service and target at once get the same connection; only one is opened.
	 * @throws ConnectionLimitException if a new connection would exceed a cap
	 * @throws IllegalStateException if the manager is closed
	 */
	public ClientConnection acquire(String service, String target) {
		Objects.requireNonNull(service, "service");
		Objects.requireNonNull(target, "target");
		return acquire(entry(service), target);
	}

	/**
	 * Opens a new connection to {@code target} for {@code service} that is not shared: {@link #acquire} never hands
	 * it out. For callers that want a channel of their own (long streams, isolation); close it when done.
	 * @throws ConnectionLimitException if it would exceed a cap
	 * @throws IllegalStateException if the manager is closed
	 */
	public ClientConnection open(String service, String target) {
		Objects.requireNonNull(service, "service");
		Objects.requireNonNull(target, "target");
		ensureRunning();
		ClientConnection connection = openConnection(entry(service), target);
		refuseIfShutDown(connection);
		return connection;
	}

	/** Returns the open connection with this id, if there is one. */
	public Optional<ClientConnection> find(long id) {
		return Optional.ofNullable(this.connections.get(id));
	}

	/** Returns every open connection, oldest first. */
	public List<ClientConnection> connections() {
		return sorted(this.connections.values());
	}

	/** Returns the open connections of one service, oldest first. */
	public List<ClientConnection> connections(String service) {
		ServiceConnections entry = this.services.get(Objects.requireNonNull(service, "service"));
		return (entry != null) ? sorted(entry.connections.values()) : List.of();
	}

	/** Returns the name of every service that ever had a connection. */
	public Set<String> services() {
		return Set.copyOf(this.services.keySet());
	}

	/**
	 * Closes one connection: unregisters it, counts it, then shuts its channel down, waiting up to the close timeout
	 * for in-flight calls before cancelling them. Blocks for that wait.
	 * @return whether this call closed it (false if no open connection has this id)
	 */
	public boolean close(long id) {
		ClientConnection connection = this.connections.remove(id);
		if (connection == null) {
			return false;
		}
		retire(connection);
		shutDown(List.of(connection));
		return true;
	}

	/**
	 * Closes every open connection of one service, shutting their channels down together. Blocks up to the close
	 * timeout in all.
	 * @return the number of connections this call closed
	 */
	public int closeService(String service) {
		ServiceConnections entry = this.services.get(Objects.requireNonNull(service, "service"));
		return (entry != null) ? closeEach(entry.connections.values()) : 0;
	}

	/**
	 * Closes every open connection, shutting their channels down together. Blocks up to the close timeout in all. The
	 * manager stays usable.
	 * @return the number of connections this call closed
	 */
	public int closeAll() {
		return closeEach(this.connections.values());
	}

	/** Registers a listener told of every later opening and closing. */
	void addListener(ConnectionListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/** Returns the statistics of one service; all zero for a service that never had a connection. */
	public ServiceStatistics statistics(String service) {
		ServiceConnections entry = this.services.get(Objects.requireNonNull(service, "service"));
		return (entry != null) ? entry.statistics() : ServiceStatistics.NONE;
	}

	/** Returns the number of connections open now, over all services. */
	public int live() {
		return this.live.get();
	}

	/**
	 * Returns a snapshot of every statistic, open connection and held connection. Walks every connection; meant for
	 * the actuator and diagnostics, not for a hot path.
	 */
	public ClientConnectionsDescriptor describe() {
		Map<String, ServiceStatistics> perService = new HashMap<>();
		this.services.forEach((name, entry) -> perService.put(name, entry.statistics()));
		List<ClientConnection> open = connections();
		Duration threshold = this.settings.heldThreshold();
		List<HeldConnection> held = open.stream()
			.filter((connection) -> connection.age().compareTo(threshold) > 0)
			.map(HeldConnection::of)
			.toList();
		return new ClientConnectionsDescriptor(this.clock.instant(), this.live.get(), this.peak.get(),
				this.opened.sum(), this.closed.sum(), this.settings.maxConnections(),
				this.settings.maxConnectionsPerService(), rate(this.opens), rate(this.closes), perService,
				open.stream().map(ConnectionDescriptor::of).toList(), threshold, held);
	}

	/**
	 * Logs a warning for every connection still open, closes them all (waiting up to the close timeout) and refuses
	 * any further opening. Idempotent.
	 */
	@Override
	public void close() {
		if (!this.shutdown.compareAndSet(false, true)) {
			return;
		}
		for (ClientConnection connection : connections()) {
			logger.warn("gRPC client connection {} to {} ({}) still open at shutdown after {} with {} calls; closing it",
					connection.id(), connection.service(), connection.target(), connection.age(), connection.calls(),
					connection.originThrowable());
		}
		closeAll();
	}

	private ClientConnection acquire(ServiceConnections entry, String target) {
		for (;;) {
			ClientConnection connection = entry.shared.get(target);
			if (connection == null) {
				ensureRunning();
				// locks only this target's bin while the (non-blocking) channel is built, so one connection is opened
				connection = entry.shared.computeIfAbsent(target, (key) -> openConnection(entry, key));
				refuseIfShutDown(connection);
			}
			if (!connection.isClosed()) {
				return connection;
			}
			entry.shared.remove(target, connection); // closed under our feet: open a fresh one
		}
	}

	private ClientConnection openConnection(ServiceConnections entry, String target) {
		Reservation reservation = reserve(entry);
		ClientConnection connection;
		try {
			ManagedChannel channel = this.channelFactory.create(entry.name, target, entry.settings);
			if (channel == null) {
				throw new IllegalStateException("channel factory returned no channel for " + target);
			}
			long id = IDS.create().toLong();
			connection = new ClientConnection(this, id, entry.name, target, entry.settings, channel, this.clock,
					entry.calls, this.settings.captureOrigin() ? origin(id, entry.name) : null);
		}
		catch (RuntimeException | Error ex) {
			release(entry);
			throw ex;
		}
		entry.peak.accumulateAndGet(reservation.service(), Math::max);
		this.peak.accumulateAndGet(reservation.global(), Math::max);
		this.opened.increment();
		entry.opened.increment();
		this.opens.increment();
		// the service's map first: once in the global map a connection can be closed, and closing cleans both
		entry.connections.put(connection.id(), connection);
		this.connections.put(connection.id(), connection);
		for (ConnectionListener listener : this.listeners) {
			try {
				listener.opened(connection);
			}
			catch (RuntimeException ex) {
				logger.warn("Connection listener {} failed on opening {}", listener, connection.id(), ex);
			}
		}
		return connection;
	}

	/**
	 * Takes a slot under the service cap, then under the global cap, or fails without holding either. Returns the
	 * counts including the slot taken.
	 */
	private Reservation reserve(ServiceConnections entry) {
		int perService = this.settings.maxConnectionsPerService();
		int serviceCount;
		do {
			serviceCount = entry.live.get();
			if (serviceCount >= perService) {
				throw new ConnectionLimitException(Scope.SERVICE, entry.name, perService, serviceCount);
			}
		}
		while (!entry.live.compareAndSet(serviceCount, serviceCount + 1));
		int max = this.settings.maxConnections();
		int count;
		do {
			count = this.live.get();
			if (count >= max) {
				entry.live.decrementAndGet();
				throw new ConnectionLimitException(Scope.GLOBAL, entry.name, max, count);
			}
		}
		while (!this.live.compareAndSet(count, count + 1));
		return new Reservation(serviceCount + 1, count + 1);
	}

	private void release(ServiceConnections entry) {
		entry.live.decrementAndGet();
		this.live.decrementAndGet();
	}

	/** Unregisters and counts a connection this thread removed from the global map, so exactly once. */
	private void retire(ClientConnection connection) {
		connection.markClosed();
		ServiceConnections entry = this.services.get(connection.service());
		entry.connections.remove(connection.id());
		entry.shared.remove(connection.target(), connection);
		release(entry);
		this.closed.increment();
		entry.closed.increment();
		this.closes.increment();
		for (ConnectionListener listener : this.listeners) {
			try {
				listener.closed(connection);
			}
			catch (RuntimeException ex) {
				logger.warn("Connection listener {} failed on closing {}", listener, connection.id(), ex);
			}
		}
	}

	private int closeEach(Iterable<ClientConnection> candidates) {
		List<ClientConnection> retired = new ArrayList<>();
		for (ClientConnection connection : candidates) {
			if (this.connections.remove(connection.id(), connection)) {
				retire(connection);
				retired.add(connection);
			}
		}
		shutDown(retired);
		return retired.size();
	}

	/** Shuts channels down together: graceful first, then cancelling what is left when the close timeout is up. */
	private void shutDown(List<ClientConnection> retired) {
		for (ClientConnection connection : retired) {
			connection.managedChannel().shutdown();
		}
		long deadline = System.nanoTime() + this.settings.closeTimeout().toNanos();
		boolean interrupted = false;
		for (ClientConnection connection : retired) {
			ManagedChannel channel = connection.managedChannel();
			try {
				long remaining = deadline - System.nanoTime();
				if (!interrupted && (channel.isTerminated()
						|| (remaining > 0 && channel.awaitTermination(remaining, TimeUnit.NANOSECONDS)))) {
					continue;
				}
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
			logger.debug("Cancelling the calls still running on connection {} to {}", connection.id(),
					connection.service());
			channel.shutdownNow();
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private ServiceConnections entry(String service) {
		ServiceConnections entry = this.services.get(service);
		return (entry != null) ? entry : this.services.computeIfAbsent(service,
				(name) -> new ServiceConnections(name, this.settings.resolve(name)));
	}

	private void ensureRunning() {
		if (this.shutdown.get()) {
			throw new IllegalStateException("client connection manager is closed");
		}
	}

	/** Closes a connection opened while the manager was closing, which the closing may have missed. */
	private void refuseIfShutDown(ClientConnection connection) {
		if (this.shutdown.get()) {
			close(connection.id());
			ensureRunning();
		}
	}

	private Throwable origin(long id, String service) {
		Throwable origin = new Throwable("connection " + id + " to " + service + " opened here");
		StackTraceElement[] stack = origin.getStackTrace();
		int first = 0; // the caller's frame: the one after the manager's outermost
		for (int i = 0; i < stack.length; i++) {
			if (stack[i].getClassName().startsWith(ClientConnectionManager.class.getName())) {
				first = i + 1;
			}
		}
		origin.setStackTrace(Arrays.copyOfRange(stack, first, stack.length));
		return origin;
	}

	private static ClientConnectionsDescriptor.Rate rate(SlidingWindowCounter counter) {
		return new ClientConnectionsDescriptor.Rate(counter.ratePerSecond(ONE_MINUTE),
				counter.ratePerSecond(FIVE_MINUTES));
	}

	private static List<ClientConnection> sorted(Iterable<ClientConnection> connections) {
		List<ClientConnection> list = new ArrayList<>();
		connections.forEach(list::add);
		list.sort(Comparator.comparingLong(ClientConnection::id));
		return list;
	}

	/** The open-connection counts, of the service and overall, right after a slot was taken. */
	private record Reservation(int service, int global) {

	}

	/** The connections and counters of one service. Entries are never removed: statistics run since start. */
	private static final class ServiceConnections {

		final String name;

		final ClientSettings settings;

		/** The shared connection per target, the one {@link #acquire} hands out. */
		final ConcurrentHashMap<String, ClientConnection> shared = new ConcurrentHashMap<>();

		/** Every open connection of the service by id, shared or not. */
		final ConcurrentHashMap<Long, ClientConnection> connections = new ConcurrentHashMap<>();

		final AtomicInteger live = new AtomicInteger();

		final AtomicInteger peak = new AtomicInteger();

		final LongAdder opened = new LongAdder();

		final LongAdder closed = new LongAdder();

		final LongAdder calls = new LongAdder();

		ServiceConnections(String name, ClientSettings settings) {
			this.name = name;
			this.settings = settings;
		}

		ServiceStatistics statistics() {
			return new ServiceStatistics(this.live.get(), this.peak.get(), this.opened.sum(), this.closed.sum(),
					this.calls.sum());
		}

	}

}
