package dev.switchboard.bench.manager;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.ProcessStats;
import dev.switchboard.client.connection.ClientConnection;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The client connection manager's figures:
 * <ol>
 * <li>JMH (1 fork, warm-up 2 × 1 s, measurement 3 × 1 s, GC profiler): a cached {@code acquire(service, target)} on
 * one thread and on one per core, an {@code open} + {@code close(id)} cycle without a channel (the manager's own
 * work), with in-process channels and with real (lazy) Netty channels, and the channel-less cycle recording the
 * opener's stack;</li>
 * <li>heap per live handle with 1,000 and 10,000 handles open, measured in this JVM after full GCs: the manager's
 * own bookkeeping (one shared do-nothing channel), with in-process channels and with Netty channels.</li>
 * </ol>
 * JMH's own log and JSON results go to {@code bench/target/jmh/}.
 */
public final class ManagerBench {

	private static final String SERVICE = "compute";

	private ManagerBench() {
	}

	/** Runs the named parts ({@code jmh}, {@code memory}), or both when none is named. */
	public static void run(Set<String> parts) throws Exception {
		System.out.printf("== client connection manager (%d cores, load average %.2f) ==%n",
				Runtime.getRuntime().availableProcessors(), ProcessStats.loadAverage());
		if (parts.isEmpty() || parts.contains("memory")) {
			memory();
		}
		if (parts.isEmpty() || parts.contains("jmh")) {
			jmh();
		}
	}

	private static void jmh() throws Exception {
		Path dir = PlatformProcess.root().resolve("bench").resolve("target").resolve("jmh");
		Files.createDirectories(dir);
		Options options = new OptionsBuilder().include(ConnectionManagerBenchmarks.class.getName() + "\\.")
			.forks(1)
			.warmupIterations(2)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(3)
			.measurementTime(TimeValue.seconds(1))
			.jvmArgs(forkJvmArgs())
			.addProfiler(GCProfiler.class)
			.output(dir.resolve("manager.log").toString())
			.result(dir.resolve("manager.json").toString())
			.resultFormat(ResultFormatType.JSON)
			.build();
		long start = System.nanoTime();
		Collection<RunResult> results = new Runner(options).run();
		System.out.printf("JMH (1 fork, warm-up 2 x 1 s, measure 3 x 1 s, %d cores; took %.0f s; log in %s):%n",
				Runtime.getRuntime().availableProcessors(), (System.nanoTime() - start) / 1e9,
				PlatformProcess.root().relativize(dir.resolve("manager.log")));
		System.out.println("benchmark                              | threads |        ns/op | alloc B/op");
		List<RunResult> sorted = new ArrayList<>(results);
		sorted.sort((a, b) -> label(a).compareTo(label(b)));
		for (RunResult result : sorted) {
			Result<?> primary = result.getPrimaryResult();
			Map<String, Result> secondary = result.getSecondaryResults();
			Result<?> alloc = secondary.get("gc.alloc.rate.norm");
			double error = primary.getScoreError();
			System.out.printf("%-38s | %7d | %7.1f ± %s | %10s%n", label(result), result.getParams().getThreads(),
					primary.getScore(), Double.isNaN(error) ? "n/a" : String.format("%.1f", error),
					(alloc != null) ? String.format("%.0f", alloc.getScore()) : "n/a");
		}
	}

	/** A fixed heap; on JDK 24 and later, Netty's use of sun.misc.Unsafe allowed without a warning. */
	private static String[] forkJvmArgs() {
		List<String> args = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
		if (Runtime.version().feature() >= 24) {
			args.add("--sun-misc-unsafe-memory-access=allow");
		}
		return args.toArray(String[]::new);
	}

	private static String label(RunResult result) {
		String name = result.getParams().getBenchmark();
		name = name.substring(name.lastIndexOf('.') + 1);
		String channel = result.getParams().getParam("channel");
		return (channel != null) ? name + " (" + channel + ")" : name;
	}

	/** Opens handles to distinct targets with {@code acquire} and weighs them on the heap. */
	private static void memory() throws Exception {
		System.out.println("heap per live handle (acquire(service, target) to distinct targets; used heap after "
				+ "full GCs, before vs with the handles open):");
		System.out.println("channel factory                       | per handle, 1,000 open | per handle, 10,000 open | "
				+ "per 1,000 handles");
		for (String[] factory : new String[][] { { "none", "manager bookkeeping only (no channel)" },
				{ "inprocess", "in-process channels" }, { "netty", "Netty channels (lazy, not connected)" } }) {
			heapPerHandle(factory[0], 200); // warm-up: classes loaded, caches filled
			double thousand = heapPerHandle(factory[0], 1_000);
			double tenThousand = heapPerHandle(factory[0], 10_000);
			System.out.printf("%-37s | %20.0f B | %21.0f B | %13.2f MiB%n", factory[1], thousand, tenThousand,
					tenThousand * 1000 / (1024 * 1024));
		}
	}

	private static double heapPerHandle(String factory, int count) throws InterruptedException {
		ConnectionManagerSettings settings = ConnectionManagerSettings.standard()
			.withMaxConnections(count)
			.withMaxConnectionsPerService(count);
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		ClientConnectionManager manager = new ClientConnectionManager(settings, BenchChannels.named(factory),
				Clock.systemUTC());
		List<ClientConnection> handles = new ArrayList<>(count);
		long before = usedHeapAfterGc(memory);
		for (int i = 0; i < count; i++) {
			handles.add(manager.acquire(SERVICE, "10.0." + (i >> 8) + "." + (i & 0xff) + ":9"));
		}
		long after = usedHeapAfterGc(memory);
		if (handles.size() != count || manager.live() != count) {
			throw new IllegalStateException("expected " + count + " live handles, have " + manager.live());
		}
		manager.closeAll(); // first, or close() warns about each connection still open
		manager.close();
		return (after - before) / (double) count;
	}

	private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(50);
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}
