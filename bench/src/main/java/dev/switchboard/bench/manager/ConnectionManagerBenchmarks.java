package dev.switchboard.bench.manager;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.connection.ClientConnection;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * JMH benchmarks of {@link ClientConnectionManager}'s two paths that callers hit per call or per replica: handing out
 * a cached connection, and opening then closing one. Run by {@link ManagerBench}; the class and its states are
 * public because JMH's generated code extends them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionManagerBenchmarks {

	private static final String SERVICE = "compute";

	private static final int TARGETS = 8;

	/** A manager holding one shared connection to each of 8 targets, shared by every benchmark thread. */
	@State(Scope.Benchmark)
	public static class Cached {

		ClientConnectionManager manager;

		final String[] targets = new String[TARGETS];

		@Setup(Level.Trial)
		public void open() {
			this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
					BenchChannels.named("inprocess"), Clock.systemUTC());
			for (int i = 0; i < TARGETS; i++) {
				this.targets[i] = "compute-" + i;
				this.manager.acquire(SERVICE, this.targets[i]);
			}
		}

		@TearDown(Level.Trial)
		public void close() {
			this.manager.closeAll(); // first, or close() warns about each connection still open
			this.manager.close();
		}

	}

	/** Each thread walks the targets in turn. */
	@State(Scope.Thread)
	public static class Cursor {

		int next;

		String target(Cached cached) {
			return cached.targets[this.next++ & (TARGETS - 1)];
		}

	}

	/** A manager per thread for open/close cycles, on the named channel factory. */
	@State(Scope.Thread)
	public static class Cycle {

		/** none: the manager's own work only; inprocess and netty: with a real channel built and shut down. */
		@Param({ "none", "inprocess", "netty" })
		public String channel;

		ClientConnectionManager manager;

		@Setup(Level.Trial)
		public void open() {
			this.manager = new ClientConnectionManager(
					ConnectionManagerSettings.standard().withCloseTimeout(Duration.ofSeconds(1)),
					BenchChannels.named(this.channel), Clock.systemUTC());
		}

		@TearDown(Level.Trial)
		public void close() {
			this.manager.close();
		}

	}

	/** Like {@link Cycle} without a channel, with the opener's stack recorded for every connection. */
	@State(Scope.Thread)
	public static class OriginCycle {

		ClientConnectionManager manager;

		@Setup(Level.Trial)
		public void open() {
			this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard()
				.withCloseTimeout(Duration.ofSeconds(1))
				.withCaptureOrigin(true), BenchChannels.named("none"), Clock.systemUTC());
		}

		@TearDown(Level.Trial)
		public void close() {
			this.manager.close();
		}

	}

	@Benchmark
	@Threads(1)
	public ClientConnection acquireCached1Thread(Cached cached, Cursor cursor) {
		return cached.manager.acquire(SERVICE, cursor.target(cached));
	}

	/** As many threads as cores: more would measure the scheduler, not the manager. */
	@Benchmark
	@Threads(Threads.MAX)
	public ClientConnection acquireCachedAllCores(Cached cached, Cursor cursor) {
		return cached.manager.acquire(SERVICE, cursor.target(cached));
	}

	@Benchmark
	@Threads(1)
	public boolean openClose(Cycle cycle) {
		ClientConnection connection = cycle.manager.open(SERVICE, BenchChannels.UNUSED_LOOPBACK_TARGET);
		return cycle.manager.close(connection.id());
	}

	@Benchmark
	@Threads(1)
	public boolean openCloseCapturingOrigin(OriginCycle cycle) {
		ClientConnection connection = cycle.manager.open(SERVICE, BenchChannels.UNUSED_LOOPBACK_TARGET);
		return cycle.manager.close(connection.id());
	}

}
