package dev.switchboard.sample.compute;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.github.f4b6a3.tsid.TsidCreator;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.compute.v1.ServerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of this replica, in memory: created BUILDING, ACTIVE once the build time has passed, removed when
 * deleted. Refusals are thrown as {@link RefusalException}.
 * <p>
 * Thread-safe. Each server has its own lock, under which its state changes and its watchers are told, so a watcher
 * sees each state once, in order, and is never called concurrently. Builds finish on the given scheduler's thread;
 * every other method runs on the caller's thread and never blocks beyond that lock.
 */
final class ServerStore {

	/** The longest name, like a DNS label. */
	static final int MAX_NAME_LENGTH = 63;

	static final int MAX_FLAVOR_LENGTH = 63;

	static final int MAX_IMAGE_LENGTH = 255;

	private static final Logger logger = LoggerFactory.getLogger(ServerStore.class);

	private final ConcurrentMap<String, Entry> servers = new ConcurrentHashMap<>();

	private final ScheduledExecutorService scheduler;

	private final Duration buildTime;

	private final Clock clock;

	/**
	 * @param scheduler finishes builds; owned by the caller, who shuts it down
	 * @param buildTime how long a server stays BUILDING
	 * @param clock stamps creation and state changes
	 */
	ServerStore(ScheduledExecutorService scheduler, Duration buildTime, Clock clock) {
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
		this.buildTime = Objects.requireNonNull(buildTime, "buildTime");
		this.clock = Objects.requireNonNull(clock, "clock");
		if (buildTime.isNegative()) {
			throw new IllegalArgumentException("buildTime must not be negative, was " + buildTime);
		}
	}

	/**
	 * Creates a server in state BUILDING and schedules the end of its build.
	 * @throws RefusalException INVALID_ARGUMENT for a missing or too long field, UNAVAILABLE once the scheduler is
	 * shut down
	 */
	ServerRecord create(String name, String flavor, String image) {
		requireText("name", name, MAX_NAME_LENGTH);
		requireText("flavor", flavor, MAX_FLAVOR_LENGTH);
		requireText("image", image, MAX_IMAGE_LENGTH);
		ServerRecord server = ServerRecord.building(TsidCreator.getTsid().toString(), name, flavor, image,
				this.clock.instant());
		this.servers.put(server.id(), new Entry(server));
		try {
			this.scheduler.schedule(() -> finishBuild(server.id()), this.buildTime.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			this.servers.remove(server.id());
			throw RefusalException.unavailable("this compute replica is shutting down; use another");
		}
		return server;
	}

	/**
	 * Returns a server as it stands.
	 * @throws RefusalException INVALID_ARGUMENT for an empty id, NOT_FOUND for an id this replica does not hold
	 */
	ServerRecord get(String id) {
		return entry(id).current;
	}

	/**
	 * Records the network ports a server was plugged into; its watchers are not told (its state did not change).
	 * @return the server as it now stands
	 * @throws RefusalException INVALID_ARGUMENT for an empty id, NOT_FOUND for an id this replica does not hold
	 */
	ServerRecord attachPorts(String id, List<String> portIds) {
		Objects.requireNonNull(portIds, "portIds");
		Entry entry = entry(id);
		synchronized (entry) {
			entry.current = entry.current.withPorts(portIds);
			return entry.current;
		}
	}

	/** Returns the servers this replica holds, deleted ones excluded, oldest first. */
	List<ServerRecord> list() {
		return this.servers.values()
			.stream()
			.map((entry) -> entry.current)
			.sorted(Comparator.comparing(ServerRecord::id)) // TSIDs sort by creation time
			.toList();
	}

	/**
	 * Deletes a server: tells its watchers, drops them and forgets the server.
	 * @return the server in state DELETED
	 * @throws RefusalException INVALID_ARGUMENT for an empty id, NOT_FOUND for an id this replica does not hold
	 */
	ServerRecord delete(String id) {
		requireText("id", id, Integer.MAX_VALUE);
		Entry entry = this.servers.remove(id);
		if (entry == null) {
			throw unknown(id);
		}
		synchronized (entry) {
			ServerRecord deleted = entry.current.withState(ServerState.DELETED, this.clock.instant());
			entry.change(new ServerChange(deleted, "deleted"));
			entry.watchers.clear();
			return deleted;
		}
	}

	/**
	 * Watches one server. {@code watcher} is called at once, on this thread, with the server as it stands, then with
	 * every state it enters, on the thread that changed it; the change to DELETED is the last. Calls for one server
	 * never overlap. A watcher that throws is dropped.
	 * @return the subscription, to close when the watcher is no longer interested
	 * @throws RefusalException INVALID_ARGUMENT for an empty id, NOT_FOUND for an id this replica does not hold
	 */
	Subscription watch(String id, Consumer<ServerChange> watcher) {
		Objects.requireNonNull(watcher, "watcher");
		Entry entry = entry(id);
		synchronized (entry) {
			if (entry.current.state() == ServerState.DELETED) {
				throw unknown(id); // deleted since we looked it up
			}
			watcher.accept(new ServerChange(entry.current, "current state"));
			entry.watchers.add(watcher);
		}
		return () -> {
			synchronized (entry) {
				entry.watchers.remove(watcher);
			}
		};
	}

	/** Returns how many watchers are subscribed, across all servers. */
	int watchers() {
		int count = 0;
		for (Entry entry : this.servers.values()) {
			synchronized (entry) {
				count += entry.watchers.size();
			}
		}
		return count;
	}

	private void finishBuild(String id) {
		Entry entry = this.servers.get(id);
		if (entry == null) {
			return; // deleted while building
		}
		synchronized (entry) {
			if (entry.current.state() == ServerState.BUILDING) {
				entry.change(new ServerChange(entry.current.withState(ServerState.ACTIVE, this.clock.instant()),
						"build finished"));
			}
		}
	}

	private Entry entry(String id) {
		requireText("id", id, Integer.MAX_VALUE);
		Entry entry = this.servers.get(id);
		if (entry == null) {
			throw unknown(id);
		}
		return entry;
	}

	/** A server this replica does not hold. */
	private static RefusalException unknown(String serverId) {
		return RefusalException.notFound("server '" + serverId + "' not found");
	}

	private static void requireText(String field, String value, int maxLength) {
		if (value == null || value.isBlank()) {
			throw RefusalException.invalidArgument(field + " is required");
		}
		if (value.length() > maxLength) {
			throw RefusalException.invalidArgument(
					field + " is " + value.length() + " characters long; the limit is " + maxLength);
		}
	}

	/** A watch of one server; closing it twice is harmless. */
	@FunctionalInterface
	interface Subscription extends AutoCloseable {

		/** Stops the calls to the watcher; a call under way may still finish. */
		@Override
		void close();

	}

	/** One server and its watchers, both guarded by the entry's monitor. */
	private static final class Entry {

		/** Written under the monitor, read without it by {@link ServerStore#get} and {@link ServerStore#list}. */
		private volatile ServerRecord current;

		private final List<Consumer<ServerChange>> watchers = new ArrayList<>(1);

		Entry(ServerRecord current) {
			this.current = current;
		}

		/** Records the change and tells every watcher; called with the monitor held. */
		void change(ServerChange change) {
			this.current = change.server();
			for (Consumer<ServerChange> watcher : List.copyOf(this.watchers)) {
				try {
					watcher.accept(change);
				}
				catch (RuntimeException ex) {
					logger.warn("Dropping a watcher of server {} that failed", change.server().id(), ex);
					this.watchers.remove(watcher);
				}
			}
		}

	}

}
