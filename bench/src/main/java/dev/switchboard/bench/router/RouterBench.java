package dev.switchboard.bench.router;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.switchboard.bench.load.ClosedLoop;
import dev.switchboard.bench.load.Phases;
import dev.switchboard.bench.load.RawBytes;
import dev.switchboard.bench.load.StreamResult;
import dev.switchboard.bench.load.UnaryResult;
import dev.switchboard.bench.load.Window;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.ProcessStats;
import dev.switchboard.common.grpc.SwitchboardHeaders;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.ConsoleChunk;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.StreamConsoleOutputRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

/**
 * The router against a direct call and two peer proxies, in one run: a registry, one compute replica and the router
 * started from their jars, HAProxy and nginx in front of the same replica, then the same three workloads against each
 * of the four targets, one target at a time, after a warm-up through the router (5 rounds of what a measurement
 * does, on fresh connections each: about 45 s) that gets the JIT of the load generator, the router and the replica
 * past its busiest phase:
 * <ol>
 * <li>unary {@code GetServer}, 4 connections × 16 streams closed-loop (64 callers): calls/s and latency;</li>
 * <li>unary {@code GetServer}, one caller on one connection: the latency a hop adds;</li>
 * <li>{@code StreamConsoleOutput} of 64 MiB per call, 4 callers: MB/s.</li>
 * </ol>
 * The 64-caller throughput is then measured once more, the targets in reverse order, and compared as the mean of both
 * passes, so that the machine's drift during the run favours no target.
 * Every call designates the replica ({@code x-switchboard-instance}), as a caller of a stateful component does. No
 * auth service runs: the registry and the router are started with their authorization switched off, so the router's
 * figures leave out the (cached) auth decision. The
 * figures are printed next to the router's targets, never asserted. Everything started here is stopped at the end,
 * on failure too (a shutdown hook covers an interrupted JVM).
 */
public final class RouterBench {

	private static final String INSTANCE = "bench-compute-1";

	private static final int CONNECTIONS = 4;

	private static final int STREAMS_PER_CONNECTION = 16;

	private static final int STREAM_CALLERS = 4;

	private static final long STREAM_BYTES = 64L << 20;

	private static final Phases UNARY = Phases.of(3, 8);

	private static final Phases LATENCY = Phases.of(2, 4);

	private static final Phases STREAMING = Phases.of(2, 4);

	/**
	 * Unary load through the router before any measurement, in seconds; {@code router:warmup=<seconds>} changes it.
	 * On two shared cores C2 keeps compiling the router's Netty and gRPC paths for 30 s or more under load; less
	 * warm-up measures the JIT rather than the router.
	 */
	private static final long WARM_UP_SECONDS = 25;

	/** The warm-up's rounds, each on fresh connections (see {@code warmUp}). */
	private static final int WARM_UP_ROUNDS = 5;

	/** The one-caller and streaming part of a warm-up round. */
	private static final Phases WARM_UP_ROUND_SHORT = Phases.of(1, 1);

	private static final Duration START = Duration.ofSeconds(120);

	/** The jars as they would run in production: full JIT, small heap; {@code router:c1} uses the launcher's flags. */
	private static final List<String> SERVICE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");

	private static final double TARGET_VS_DIRECT = 0.65;

	private static final double TARGET_VS_HAPROXY = 1.0;

	private static final double TARGET_ADDED_P50_MICROS = 150;

	private static final long TARGET_RSS_MIB = 300;

	private RouterBench() {
	}

	/**
	 * Runs the named workloads ({@code unary}, {@code latency}, {@code stream}), or all when none is named; part
	 * {@code c1} starts the jars with the launcher's quick-start JVM flags (C1 only) instead, part
	 * {@code warmup=<seconds>} sets the unary warm-up through the router (default 25 s).
	 */
	public static void run(Set<String> parts) throws Exception {
		Set<String> workloads = parts.stream()
			.filter((part) -> Set.of("unary", "latency", "stream").contains(part))
			.collect(Collectors.toSet());
		if (workloads.isEmpty()) {
			workloads = Set.of("unary", "latency", "stream");
		}
		List<String> jvm = parts.contains("c1") ? PlatformProcess.QUICK_START_JVM : SERVICE_JVM;
		long warmUpSeconds = parts.stream()
			.filter((part) -> part.startsWith("warmup="))
			.mapToLong((part) -> Long.parseLong(part.substring("warmup=".length())))
			.findFirst()
			.orElse(WARM_UP_SECONDS);
		List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
		Thread cleanup = new Thread(() -> closeAll(started), "bench-router-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		try {
			new RouterBench.Run(workloads, jvm, warmUpSeconds, started).execute();
		}
		finally {
			closeAll(started);
			try {
				Runtime.getRuntime().removeShutdownHook(cleanup);
			}
			catch (IllegalStateException ex) {
				// already shutting down: the hook runs anyway, and closing twice is harmless
			}
		}
	}

	private static void closeAll(List<AutoCloseable> started) {
		List<AutoCloseable> reversed;
		synchronized (started) {
			reversed = new ArrayList<>(started);
			started.clear();
		}
		Collections.reverse(reversed);
		for (AutoCloseable resource : reversed) {
			try {
				resource.close();
			}
			catch (Exception ex) {
				System.err.println("could not stop " + resource + ": " + ex);
			}
		}
	}

	/** One run: what it started and what it measured. */
	private static final class Run {

		private final Set<String> workloads;

		private final List<String> jvm;

		private final List<AutoCloseable> started;

		private final Phases warmUp;

		private final Map<String, Row> rows = new LinkedHashMap<>();

		private final Metadata headers = new Metadata();

		private PlatformProcess replica;

		private PlatformProcess router;

		private int routerPort;

		private byte[] getServer;

		private byte[] console;

		private String serverId;

		Run(Set<String> workloads, List<String> jvm, long warmUpSeconds, List<AutoCloseable> started) {
			this.workloads = workloads;
			this.jvm = jvm;
			this.warmUp = Phases.of(warmUpSeconds, 1);
			this.started = started;
			this.headers.put(SwitchboardHeaders.INSTANCE, INSTANCE);
		}

		void execute() throws Exception {
			System.out.printf("== router (registry, 1 compute replica, router; HAProxy and nginx in front of the same "
					+ "replica; %d cores, load average %.2f, everything on 127.0.0.1) ==%n",
					Runtime.getRuntime().availableProcessors(), ProcessStats.loadAverage());
			System.out.println("router runs with: " + String.join(" ", routerJvm(this.jvm)) + "; other jars with: "
					+ String.join(" ", this.jvm) + "; auth off (registry and router "
					+ "started with auth.enabled=false: no auth service here); load generator: this JVM, grpc-java "
					+ "async calls, raw bytes, direct executor");
			Optional<Path> haproxy = PeerProxy.find("haproxy");
			Optional<Path> nginx = PeerProxy.find("nginx");
			Optional<Path> h2load = PeerProxy.find("h2load");
			System.out.println("tools: haproxy " + describe(haproxy) + ", nginx " + describe(nginx) + ", h2load "
					+ describe(h2load) + " (not used here)");

			long startedAt = System.nanoTime();
			int registryPort = startPlatform();
			int replicaPort = replicaPort(registryPort);
			awaitRouting();
			System.out.printf("platform up and routing in %.1f s: registry :%d, %s :%d, router :%d%n",
					(System.nanoTime() - startedAt) / 1e9, registryPort, INSTANCE, replicaPort, this.routerPort);

			List<Target> targets = new ArrayList<>();
			targets.add(new Target("direct", replicaPort, List.of()));
			targets.add(new Target("router", this.routerPort, List.of(this.router.pid())));
			Path dir = PlatformProcess.root().resolve("bench").resolve("target").resolve("proxies");
			if (haproxy.isPresent()) {
				PeerProxy proxy = PeerProxy.haproxy(haproxy.get(), dir.resolve("haproxy"), PlatformProcess.freePort(),
						replicaPort);
				this.started.add(proxy);
				targets.add(new Target("haproxy", proxy.port(), proxy.pids()));
			}
			if (nginx.isPresent()) {
				PeerProxy proxy = PeerProxy.nginx(nginx.get(), dir.resolve("nginx"), PlatformProcess.freePort(),
						replicaPort);
				this.started.add(proxy);
				targets.add(new Target("nginx", proxy.port(), proxy.pids()));
			}
			System.out.println("workloads per target: unary GetServer " + CONNECTIONS + " connections x "
					+ STREAMS_PER_CONNECTION + " streams (warm-up " + UNARY.warmUp().toSeconds() + " s, measure "
					+ UNARY.measure().toSeconds() + " s); 1 caller (warm-up " + LATENCY.warmUp().toSeconds()
					+ " s, measure " + LATENCY.measure().toSeconds() + " s); StreamConsoleOutput "
					+ (STREAM_BYTES >> 20) + " MiB per call x " + STREAM_CALLERS + " callers (warm-up "
					+ STREAMING.warmUp().toSeconds() + " s, measure " + STREAMING.measure().toSeconds() + " s); "
					+ "first " + WARM_UP_ROUNDS + " warm-up rounds through the router to warm every JIT up, each on "
					+ "fresh connections: the check, " + (this.warmUp.warmUp().toSeconds() / WARM_UP_ROUNDS + 1)
					+ " s of 64 callers, 2 s of one caller, 2 s of streaming");
			warmUp(this.routerPort);
			for (Target target : targets) {
				this.rows.put(target.name(), measure(target));
			}
			if (this.workloads.contains("unary")) {
				measureAgainInReverse(targets);
			}
			print();
			System.out.printf("router scenario took %.0f s; load average now %.2f%n",
					(System.nanoTime() - startedAt) / 1e9, ProcessStats.loadAverage());
		}

		/** Starts the registry, then the replica and the router together; returns the registry's gRPC port. */
		private int startPlatform() {
			int registryPort = PlatformProcess.freePort();
			PlatformProcess registry = PlatformProcess.start("bench-router-registry", "registry-service",
					"registry-service", this.jvm, List.of("--spring.grpc.server.port=" + registryPort,
							"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
							"--switchboard.registry.auth.enabled=false", "--switchboard.identity.enabled=false"));
			this.started.add(registry);
			registry.awaitHealthy(START);
			String registryAddress = "--switchboard.component.registry.addresses=127.0.0.1:" + registryPort;
			this.replica = PlatformProcess.start(INSTANCE, "sample-components/compute", "sample-compute", this.jvm,
					List.of("--spring.grpc.server.port=0", "--switchboard.component.instance-id=" + INSTANCE,
							"--switchboard.component.host=127.0.0.1", registryAddress,
							"--switchboard.identity.enabled=false"));
			this.started.add(this.replica);
			this.routerPort = PlatformProcess.freePort();
			this.router = PlatformProcess.start("bench-router", "router-service", "router-service", routerJvm(this.jvm),
					List.of("--spring.grpc.server.port=" + this.routerPort, "--switchboard.component.host=127.0.0.1",
							registryAddress, "--switchboard.router.auth.enabled=false",
							"--switchboard.identity.enabled=false"));
			this.started.add(this.router);
			this.replica.awaitHealthy(START);
			this.router.awaitHealthy(START);
			return registryPort;
		}

		/** Waits until the registry has the replica UP and returns the gRPC port it registered. */
		private int replicaPort(int registryPort) throws InterruptedException {
			ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", registryPort).usePlaintext().build();
			try {
				long deadline = System.nanoTime() + START.toNanos();
				while (System.nanoTime() < deadline) {
					try {
						for (Instance instance : RegistryGrpc.newBlockingStub(channel)
							.withDeadlineAfter(5, TimeUnit.SECONDS)
							.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
							.getInstancesList()) {
							if (instance.getInstanceId().equals(INSTANCE) && instance.getStatus() == InstanceStatus.UP) {
								return instance.getPort();
							}
						}
					}
					catch (StatusRuntimeException ex) {
						// not registered yet
					}
					Thread.sleep(200);
				}
				throw new IllegalStateException(INSTANCE + " not UP in the registry after " + START);
			}
			finally {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}

		/** Creates the server every GetServer asks for, through the router, retrying until the router routes. */
		private void awaitRouting() throws InterruptedException {
			ManagedChannel channel = channel(this.routerPort);
			try {
				ComputeGrpc.ComputeBlockingStub compute = ComputeGrpc.newBlockingStub(channel)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(this.headers));
				long deadline = System.nanoTime() + START.toNanos();
				StatusRuntimeException last = null;
				while (System.nanoTime() < deadline) {
					try {
						Server server = compute.withDeadlineAfter(5, TimeUnit.SECONDS)
							.createServer(CreateServerRequest.newBuilder()
								.setName("bench-web-1")
								.setFlavor("m1.small")
								.setImage("ubuntu-24.04")
								.build());
						this.serverId = server.getId();
						this.getServer = GetServerRequest.newBuilder().setId(this.serverId).build().toByteArray();
						this.console = StreamConsoleOutputRequest.newBuilder()
							.setServerId(this.serverId)
							.setMaxBytes(STREAM_BYTES)
							.build()
							.toByteArray();
						return;
					}
					catch (StatusRuntimeException ex) {
						last = ex; // the router has not seen the replica yet
					}
					Thread.sleep(200);
				}
				throw new IllegalStateException("the router did not route to " + INSTANCE + " after " + START, last);
			}
			finally {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}

		private Row measure(Target target) throws InterruptedException {
			try {
				check(target);
			}
			catch (RuntimeException ex) {
				System.out.println(target.name() + ": check failed, not measured: " + ex);
				return Row.failed(target.name(), ex.toString());
			}
			Row row = new Row(target.name());
			if (this.workloads.contains("unary")) {
				Usage usage = new Usage(target, this.replica.pid(),
						target.name().equals("router") ? this.router.pid() : -1);
				try (Channels channels = Channels.open(target.port(), CONNECTIONS)) {
					row.many = ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, UNARY, usage);
				}
				row.usage = usage;
			}
			if (this.workloads.contains("latency")) {
				try (Channels channels = Channels.open(target.port(), 1)) {
					row.one = ClosedLoop.unary(channels.list(), 1,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, LATENCY, Window.NONE);
				}
			}
			if (this.workloads.contains("stream")) {
				try (Channels channels = Channels.open(target.port(), STREAM_CALLERS)) {
					row.stream = ClosedLoop.streaming(channels.list(), STREAM_CALLERS,
							RawBytes.method(ComputeGrpc.getStreamConsoleOutputMethod().getFullMethodName(),
									MethodType.SERVER_STREAMING),
							this.console, this.headers, STREAMING, Window.NONE);
				}
			}
			System.out.println(target.name() + ": " + row.summary());
			return row;
		}

		/**
		 * Measures the 64-caller throughput of every target a second time, in the reverse order, so that a drift of
		 * the machine's speed during the run (the replica's JIT settling, a neighbour's load) favours no target: the
		 * calls/s compared are the mean of both passes.
		 */
		private void measureAgainInReverse(List<Target> targets) throws InterruptedException {
			List<Target> reversed = new ArrayList<>(targets);
			Collections.reverse(reversed);
			for (Target target : reversed) {
				Row row = this.rows.get(target.name());
				if (row == null || row.error != null || row.many == null) {
					continue;
				}
				try (Channels channels = Channels.open(target.port(), CONNECTIONS)) {
					row.manyAgain = ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, UNARY, Window.NONE);
				}
				System.out.printf("%s again: %.0f calls/s (64 callers), %d errors%n", target.name(),
						row.manyAgain.callsPerSecond(), row.manyAgain.errors());
			}
		}

		/**
		 * Loads the router (and so the replica) before anything is measured, so that the first target measured does
		 * not pay for the JIT of the load generator and the replica, nor the router for its own. The warm-up runs in
		 * rounds that each go through the motions of a measurement: the check, fresh connections, 64 callers, one
		 * caller, a stream, the connections closed. Warmed on four long-lived connections only, C2 compiled the hot
		 * Netty paths without the branches a connection's start and end take, so the new connections of the measured
		 * run hit uncommon traps, deoptimized them and had C2 recompile for seconds (a quarter of a core) inside the
		 * window.
		 */
		private void warmUp(int port) throws InterruptedException {
			long start = System.nanoTime();
			Target router = new Target("router", port, List.of(this.router.pid()));
			long roundSeconds = Math.max(1, this.warmUp.warmUp().toSeconds() / WARM_UP_ROUNDS);
			for (int round = 0; round < WARM_UP_ROUNDS; round++) {
				check(router);
				try (Channels channels = Channels.open(port, CONNECTIONS)) {
					ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, Phases.of(roundSeconds, 1), Window.NONE);
				}
				try (Channels channels = Channels.open(port, 1)) {
					ClosedLoop.unary(channels.list(), 1,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, WARM_UP_ROUND_SHORT, Window.NONE);
				}
				try (Channels channels = Channels.open(port, STREAM_CALLERS)) {
					ClosedLoop.streaming(channels.list(), STREAM_CALLERS,
							RawBytes.method(ComputeGrpc.getStreamConsoleOutputMethod().getFullMethodName(),
									MethodType.SERVER_STREAMING),
							this.console, this.headers, WARM_UP_ROUND_SHORT, Window.NONE);
				}
			}
			System.out.printf("warm-up through the router done in %.0f s%n", (System.nanoTime() - start) / 1e9);
		}

		/** One GetServer and one 1 MiB console stream through the target, checked field by field. */
		private void check(Target target) throws InterruptedException {
			ManagedChannel channel = channel(target.port());
			try {
				ComputeGrpc.ComputeBlockingStub compute = ComputeGrpc.newBlockingStub(channel)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(this.headers))
					.withDeadlineAfter(10, TimeUnit.SECONDS);
				Server server = compute.getServer(GetServerRequest.newBuilder().setId(this.serverId).build());
				if (!server.getId().equals(this.serverId) || !server.getServedBy().equals(INSTANCE)) {
					throw new IllegalStateException("GetServer answered " + server);
				}
				long expected = 1L << 20;
				long offset = 0;
				Iterator<ConsoleChunk> chunks = compute.streamConsoleOutput(StreamConsoleOutputRequest.newBuilder()
					.setServerId(this.serverId)
					.setMaxBytes(expected)
					.build());
				while (chunks.hasNext()) {
					ConsoleChunk chunk = chunks.next();
					if (chunk.getOffset() != offset || !chunk.getServedBy().equals(INSTANCE)) {
						throw new IllegalStateException("console chunk at " + chunk.getOffset() + " from "
								+ chunk.getServedBy() + ", expected " + offset + " from " + INSTANCE);
					}
					offset += chunk.getData().size();
				}
				if (offset != expected) {
					throw new IllegalStateException("console stream ended after " + offset + " of " + expected
							+ " bytes");
				}
			}
			finally {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}

		private void print() {
			System.out.println();
			System.out.println("target   |  calls/s |  p50 µs |  p99 µs | p99.9 µs | 1-caller p50 µs | stream MB/s | "
					+ "errors | CPU% hop/replica/loadgen/rest (64 callers) | hop RSS MiB");
			for (Row row : this.rows.values()) {
				System.out.println(row.line());
			}
			System.out.println("(calls/s: the mean of two passes, the targets in order, then in reverse order; CPU% of "
					+ "one core over the first pass's 64-caller window; rest: every other process on the machine, the "
					+ "registry and idle hops included; latency percentiles from the first pass)");
			System.out.println("calls/s per pass: " + this.rows.values()
				.stream()
				.filter((row) -> row.many != null)
				.map(Row::passes)
				.collect(Collectors.joining(", ")));
			Row direct = this.rows.get("direct");
			Row router = this.rows.get("router");
			Row haproxy = this.rows.get("haproxy");
			Row nginx = this.rows.get("nginx");
			System.out.println();
			if (router == null || router.error != null) {
				System.out.println("no router figures to compare");
				return;
			}
			if (router.many != null) {
				ratio("router/direct calls/s", router, direct, TARGET_VS_DIRECT);
				ratio("router/HAProxy calls/s", router, haproxy, TARGET_VS_HAPROXY);
				ratio("router/nginx calls/s", router, nginx, Double.NaN);
			}
			if (router.stream != null && direct != null && direct.stream != null) {
				System.out.printf("%-28s %6.2f%n", "router/direct stream MB/s",
						router.stream.megabytesPerSecond() / direct.stream.megabytesPerSecond());
			}
			if (router.one != null && direct != null && direct.one != null) {
				double added = router.one.micros(50) - direct.one.micros(50);
				System.out.printf("%-28s %6.0f µs  (target < %.0f µs: %s)%n", "router added p50, 1 caller", added,
						TARGET_ADDED_P50_MICROS, met(added < TARGET_ADDED_P50_MICROS));
			}
			if (router.usage != null) {
				double rssMiB = router.usage.hopRssBytes / (1024.0 * 1024);
				System.out.printf("%-28s %6.0f MiB (target < %d MiB: %s)%n", "router RSS after 64 callers", rssMiB,
						TARGET_RSS_MIB, met(rssMiB < TARGET_RSS_MIB));
				System.out.println("router threads by CPU in the 64-caller window: " + router.usage.routerThreads());
			}
		}

		private static void ratio(String label, Row router, Row other, double target) {
			if (other == null || other.many == null || other.callsPerSecond() == 0) {
				System.out.printf("%-28s    n/a%n", label);
				return;
			}
			double ratio = router.callsPerSecond() / other.callsPerSecond();
			if (Double.isNaN(target)) {
				System.out.printf("%-28s %6.2f%n", label, ratio);
			}
			else {
				System.out.printf("%-28s %6.2f     (target >= %.2f: %s)%n", label, ratio, target, met(ratio >= target));
			}
		}

		private static String met(boolean met) {
			return met ? "met" : "NOT met";
		}

		/**
		 * The router's JVM: {@code deploy/jvm/router.options}, as the launcher and the compose image run it; with part
		 * {@code c1}, the quick-start flags with the router's 128 MiB heap.
		 */
		private static List<String> routerJvm(List<String> jvm) {
			if (jvm.equals(PlatformProcess.QUICK_START_JVM)) {
				List<String> quick = new ArrayList<>(jvm);
				quick.add("-Xmx128m");
				return quick;
			}
			return PlatformProcess.ROUTER_JVM;
		}

		private static ManagedChannel channel(int port) {
			return ManagedChannelBuilder.forAddress("127.0.0.1", port)
				.usePlaintext()
				.maxInboundMessageSize(2 << 20)
				.build();
		}

		private static String describe(Optional<Path> tool) {
			return tool.map(Path::toString).orElse("missing");
		}

	}

	/**
	 * Where the load goes.
	 *
	 * @param name what the table calls it
	 * @param port its gRPC port on 127.0.0.1
	 * @param hopPids the processes between the load generator and the replica (none for direct)
	 */
	private record Target(String name, int port, List<Long> hopPids) {

	}

	/** The load's connections: one channel per TCP connection, callbacks on the transport's threads. */
	private record Channels(List<ManagedChannel> list) implements AutoCloseable {

		static Channels open(int port, int count) {
			List<ManagedChannel> channels = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", port)
					.usePlaintext()
					.directExecutor()
					.maxInboundMessageSize(2 << 20)
					.build());
			}
			return new Channels(channels);
		}

		@Override
		public void close() throws InterruptedException {
			this.list.forEach(ManagedChannel::shutdownNow);
			for (ManagedChannel channel : this.list) {
				channel.awaitTermination(5, TimeUnit.SECONDS);
			}
		}

	}

	/** CPU of the hop, the replica and the load generator over the window; the hop's RSS and the router's threads. */
	private static final class Usage implements Window {

		private final List<Long> hop;

		private final long replica;

		private final long routerPid;

		private double[] before;

		private double[] used = new double[] { Double.NaN, Double.NaN, Double.NaN, Double.NaN };

		private long openedAt;

		private double seconds;

		private long hopRssBytes;

		private Map<Long, ProcessStats.ThreadCpu> threadsBefore = Map.of();

		private List<ProcessStats.ThreadCpu> threadsUsed = List.of();

		Usage(Target target, long replica, long routerPid) {
			this.hop = target.hopPids().isEmpty() ? List.of() : ProcessStats.tree(target.hopPids().get(0));
			this.replica = replica;
			this.routerPid = routerPid;
		}

		@Override
		public void opened() {
			this.openedAt = System.nanoTime();
			this.before = sample();
			if (this.routerPid > 0) {
				this.threadsBefore = ProcessStats.threads(this.routerPid);
			}
		}

		@Override
		public void closed() {
			double[] after = sample();
			this.seconds = (System.nanoTime() - this.openedAt) / 1e9;
			for (int i = 0; i < 4; i++) {
				this.used[i] = (after[i] - this.before[i]) / this.seconds;
			}
			// the machine's busy time less ours: other processes competing for the same cores
			this.used[3] = Math.max(0, this.used[3] - this.used[0] - this.used[1] - this.used[2]);
			this.hopRssBytes = ProcessStats.rssBytes(this.hop);
			if (this.routerPid > 0) {
				this.threadsUsed = ProcessStats.used(this.threadsBefore, ProcessStats.threads(this.routerPid));
			}
		}

		private double[] sample() {
			return new double[] { ProcessStats.cpuSeconds(this.hop), ProcessStats.cpuSeconds(List.of(this.replica)),
					ProcessStats.cpuSeconds(List.of(ProcessHandle.current().pid())), ProcessStats.machineBusySeconds() };
		}

		String cpu() {
			return String.format("%s/%3.0f/%3.0f/%3.0f",
					this.hop.isEmpty() ? "  -" : String.format("%3.0f", this.used[0] * 100), this.used[1] * 100,
					this.used[2] * 100, this.used[3] * 100);
		}

		String routerThreads() {
			return this.threadsUsed.stream()
				.limit(8)
				.map((thread) -> String.format("%s %.0f%%", thread.name(), thread.seconds() / this.seconds * 100))
				.collect(Collectors.joining(", "));
		}

	}

	/** One line of the table. */
	private static final class Row {

		private final String name;

		private String error;

		private UnaryResult many;

		/** The 64-caller throughput measured again, in the reverse pass. */
		private UnaryResult manyAgain;

		private UnaryResult one;

		private StreamResult stream;

		private Usage usage;

		Row(String name) {
			this.name = name;
		}

		static Row failed(String name, String error) {
			Row row = new Row(name);
			row.error = error;
			return row;
		}

		/** The 64-caller calls/s: the mean of both passes when there were two. */
		double callsPerSecond() {
			return (this.manyAgain != null) ? (this.many.callsPerSecond() + this.manyAgain.callsPerSecond()) / 2
					: this.many.callsPerSecond();
		}

		String passes() {
			return String.format("%s %.0f / %s", this.name, this.many.callsPerSecond(),
					(this.manyAgain != null) ? String.format("%.0f", this.manyAgain.callsPerSecond()) : "-");
		}

		long errors() {
			return ((this.many != null) ? this.many.errors() : 0)
					+ ((this.manyAgain != null) ? this.manyAgain.errors() : 0)
					+ ((this.one != null) ? this.one.errors() : 0) + ((this.stream != null) ? this.stream.errors() : 0);
		}

		String firstError() {
			for (String error : new String[] { (this.many != null) ? this.many.firstError() : null,
					(this.manyAgain != null) ? this.manyAgain.firstError() : null,
					(this.one != null) ? this.one.firstError() : null,
					(this.stream != null) ? this.stream.firstError() : null }) {
				if (error != null) {
					return error;
				}
			}
			return null;
		}

		String summary() {
			List<String> parts = new ArrayList<>();
			if (this.many != null) {
				parts.add(String.format("%.0f calls/s, p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs (64 callers)",
						this.many.callsPerSecond(), this.many.micros(50), this.many.micros(99), this.many.micros(99.9)));
			}
			if (this.one != null) {
				parts.add(String.format("1 caller: %.0f calls/s, p50 %.0f µs", this.one.callsPerSecond(),
						this.one.micros(50)));
			}
			if (this.stream != null) {
				parts.add(String.format("stream %.0f MB/s (%d calls done in the window)",
						this.stream.megabytesPerSecond(), this.stream.completedCalls()));
			}
			String first = firstError();
			parts.add(errors() + " errors" + ((first != null) ? " (first: " + first + ")" : ""));
			return String.join("; ", parts);
		}

		String line() {
			if (this.error != null) {
				return String.format("%-8s | not measured: %s", this.name, this.error);
			}
			return String.format("%-8s | %8s | %7s | %7s | %8s | %15s | %11s | %6d | %42s | %11s", this.name,
					(this.many != null) ? String.format("%.0f", callsPerSecond()) : "-",
					(this.many != null) ? String.format("%.0f", this.many.micros(50)) : "-",
					(this.many != null) ? String.format("%.0f", this.many.micros(99)) : "-",
					(this.many != null) ? String.format("%.0f", this.many.micros(99.9)) : "-",
					(this.one != null) ? String.format("%.0f", this.one.micros(50)) : "-",
					(this.stream != null) ? String.format("%.0f", this.stream.megabytesPerSecond()) : "-", errors(),
					(this.usage != null) ? this.usage.cpu() : "-",
					(this.usage != null && !this.usage.hop.isEmpty())
							? String.format("%.0f", this.usage.hopRssBytes / (1024.0 * 1024)) : "-");
		}

	}

}
