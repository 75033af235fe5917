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
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import dev.switchboard.bench.load.ClosedLoop;
import dev.switchboard.bench.load.H2load;
import dev.switchboard.bench.load.IdleConnections;
import dev.switchboard.bench.load.Phases;
import dev.switchboard.bench.load.RawBytes;
import dev.switchboard.bench.load.StreamResult;
import dev.switchboard.bench.load.UnaryResult;
import dev.switchboard.bench.load.Window;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.ProcessStats;
import dev.switchboard.bench.platform.SecuredPlatform;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.ConsoleChunk;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import dev.switchboard.sample.compute.v1.Server;
import dev.switchboard.sample.compute.v1.StreamConsoleOutputRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

/**
 * The router as users run it, against a direct call and HAProxy, in one run. The platform is the one
 * {@code ./switchboard up} starts: auth (tokens, CA), a registry with auth on, one compute replica, every hop mutual TLS
 * with platform certificates, the router on {@code deploy/jvm/router.options} authorizing every call with the auth
 * service (decisions cached). A second router, the same but with {@code switchboard.router.auth.enabled=false}, gives
 * what authorization costs. HAProxy re-encrypts to the same replica with a router certificate of its own. After a
 * warm-up through both routers (5 rounds of what a measurement does, on fresh connections each) the same workloads
 * run against each target, one target at a time:
 * <ol>
 * <li>unary {@code GetServer}, 4 connections × 16 streams closed-loop (64 callers): calls/s, latency, CPU per call of
 * the hop;</li>
 * <li>the same with h2load, an outside load generator, on every target whose front is plaintext (h2load cannot present
 * a client certificate, so not direct);</li>
 * <li>unary {@code GetServer}, one caller on one connection: the latency a hop adds;</li>
 * <li>{@code StreamConsoleOutput} of 64 MiB per call, 4 callers: MB/s.</li>
 * </ol>
 * The 64-caller throughput is then measured once more, the targets in reverse order, and compared as the mean of both
 * passes, so that the machine's drift during the run favours no target. Then ({@code scale}) the router holds
 * 10,000 idle client connections and serves 1,000 concurrent streams on one connection. Part {@code profile} records
 * the router's CPU samples with JDK Flight Recorder over its 64-caller window and prints where they went.
 * Every call carries the demo client's token and designates the replica ({@code x-switchboard-instance}), as a caller
 * of a stateful component does. The figures are printed next to the router's targets, never asserted. Everything
 * started here is stopped at the end, on failure too (a shutdown hook covers an interrupted JVM).
 */
public final class RouterBench {

	private static final String ROUTER = "router";

	private static final String ROUTER_AUTH_OFF = "router-auth-off";

	private static final String DIRECT = "direct";

	private static final String HAPROXY = "haproxy";

	private static final int CONNECTIONS = 4;

	private static final int STREAMS_PER_CONNECTION = 16;

	private static final int STREAM_CALLERS = 4;

	private static final long STREAM_BYTES = 64L << 20;

	private static final Phases UNARY = Phases.of(3, 8);

	private static final Phases LATENCY = Phases.of(2, 4);

	private static final Phases STREAMING = Phases.of(2, 4);

	/** h2load's measured seconds (after its own 2 s warm-up). */
	private static final int H2LOAD_SECONDS = 8;

	/**
	 * Unary load through each router before any measurement, in seconds; {@code router:warmup=<seconds>} changes it.
	 * On two shared cores C2 keeps compiling the router's Netty and gRPC paths for 30 s or more under load; less
	 * warm-up measures the JIT rather than the router.
	 */
	private static final long WARM_UP_SECONDS = 25;

	/** The warm-up's rounds, each on fresh connections (see {@code warmUp}). */
	private static final int WARM_UP_ROUNDS = 5;

	/** The one-caller and streaming part of a warm-up round. */
	private static final Phases WARM_UP_ROUND_SHORT = Phases.of(1, 1);

	/** Idle client connections the {@code scale} part opens to the router. */
	private static final int IDLE_CONNECTIONS = 10_000;

	/** Concurrent streams on one connection in the {@code scale} part: the router's default per-connection limit. */
	private static final int STREAMS_ON_ONE_CONNECTION = 1_000;

	private static final Duration START = Duration.ofSeconds(180);

	/** The replica's JVM: full JIT and a small heap, as it would run in production. */
	private static final List<String> REPLICA_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");

	private static final double TARGET_VS_DIRECT = 0.65;

	private static final double TARGET_VS_HAPROXY = 1.0;

	private static final double TARGET_ADDED_P50_MICROS = 150;

	private static final long TARGET_RSS_MIB = 300;

	private static final double TARGET_AUTH_COST = 0.05;

	private RouterBench() {
	}

	/**
	 * Runs the named workloads ({@code unary}, {@code latency}, {@code stream}, {@code scale}), or all four when none
	 * is named; part {@code profile} records the router's CPU profile over its 64-caller window (JFR costs the router
	 * a little, so it is off unless named); part {@code warmup=<seconds>} sets the unary warm-up through each router
	 * (default 25 s).
	 */
	public static void run(Set<String> parts) throws Exception {
		Set<String> workloads = parts.stream()
			.filter((part) -> Set.of("unary", "latency", "stream", "scale").contains(part))
			.collect(Collectors.toSet());
		if (workloads.isEmpty()) {
			workloads = Set.of("unary", "latency", "stream", "scale");
		}
		long warmUpSeconds = parts.stream()
			.filter((part) -> part.startsWith("warmup="))
			.mapToLong((part) -> Long.parseLong(part.substring("warmup=".length())))
			.findFirst()
			.orElse(WARM_UP_SECONDS);
		List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
		Thread cleanup = new Thread(() -> closeAll(started), "bench-router-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		try {
			new RouterBench.Run(workloads, parts.contains("profile"), warmUpSeconds, started).execute();
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

		private final boolean profile;

		private final List<AutoCloseable> started;

		private final Phases warmUp;

		private final Map<String, Row> rows = new LinkedHashMap<>();

		private SecuredPlatform platform;

		private Metadata headers;

		private String token;

		private H2load h2load;

		private byte[] getServer;

		private byte[] console;

		private String serverId;

		private String profileSummary;

		Run(Set<String> workloads, boolean profile, long warmUpSeconds, List<AutoCloseable> started) {
			this.workloads = workloads;
			this.profile = profile;
			this.warmUp = Phases.of(warmUpSeconds, 1);
			this.started = started;
		}

		void execute() throws Exception {
			System.out.printf("== router (auth, registry, 1 compute replica, the router and a router with auth off; "
					+ "mutual TLS on every hop; HAProxy re-encrypting to the same replica; %d cores, load average "
					+ "%.2f, everything on 127.0.0.1) ==%n", Runtime.getRuntime().availableProcessors(),
					ProcessStats.loadAverage());
			Optional<Path> haproxy = PeerProxy.find("haproxy");
			Optional<Path> h2loadExecutable = PeerProxy.find("h2load");
			System.out.println("tools: haproxy " + describe(haproxy) + ", h2load " + describe(h2loadExecutable)
					+ "; routers run with " + String.join(" ", PlatformProcess.ROUTER_JVM)
					+ " (deploy/jvm/router.options), the replica with " + String.join(" ", REPLICA_JVM)
					+ "; bench client: this JVM, grpc-java async calls, raw bytes, direct executor");

			long startedAt = System.nanoTime();
			this.platform = SecuredPlatform.start("bench-router", Duration.ofHours(1), REPLICA_JVM,
					Map.of(ROUTER, List.of(), ROUTER_AUTH_OFF, List.of("--switchboard.router.auth.enabled=false")),
					START);
			this.started.add(this.platform);
			this.token = this.platform.demoToken();
			this.headers = PlatformClients.bearer(this.token);
			this.headers.put(SwitchboardHeaders.INSTANCE, SecuredPlatform.REPLICA);
			awaitRouting(this.platform.routerPort(ROUTER));
			awaitRouting(this.platform.routerPort(ROUTER_AUTH_OFF));
			System.out.printf("platform up and routing in %.1f s: replica %s, router :%d, router with auth off :%d%n",
					(System.nanoTime() - startedAt) / 1e9, this.platform.replicaAddress(),
					this.platform.routerPort(ROUTER), this.platform.routerPort(ROUTER_AUTH_OFF));

			List<Target> targets = new ArrayList<>();
			ChannelCredentials asRouter = new IdentityChannelCredentials(
					this.platform.identity("router", "bench-direct")).forGroup("compute");
			targets.add(new Target(DIRECT, this.platform.replicaAddress(), asRouter, List.of()));
			targets.add(router(ROUTER));
			targets.add(router(ROUTER_AUTH_OFF));
			if (haproxy.isPresent()) {
				PeerProxy proxy = PeerProxy.haproxyReencrypting(haproxy.get(),
						this.platform.state().resolve("haproxy"), PlatformProcess.freePort(),
						this.platform.replicaPort(), this.platform.routerCertificatePem("bench-haproxy"),
						this.platform.secrets().trustBundle());
				this.started.add(proxy);
				targets.add(new Target(HAPROXY, "127.0.0.1:" + proxy.port(), InsecureChannelCredentials.create(),
						proxy.pids()));
			}
			else {
				System.out.println("haproxy not installed: the HAProxy comparison is skipped (bench/run installs it "
						+ "as root)");
			}
			if (h2loadExecutable.isPresent()) {
				this.h2load = H2load.of(h2loadExecutable.get(), this.platform.state(), this.getServer);
			}
			else {
				System.out.println("h2load not installed: its figures are skipped (bench/run installs it as root)");
			}
			System.out.println("workloads per target: unary GetServer " + CONNECTIONS + " connections x "
					+ STREAMS_PER_CONNECTION + " streams (warm-up " + UNARY.warmUp().toSeconds() + " s, measure "
					+ UNARY.measure().toSeconds() + " s); h2load " + CONNECTIONS + " x " + STREAMS_PER_CONNECTION
					+ " (2 s warm-up, " + H2LOAD_SECONDS + " s); 1 caller (warm-up " + LATENCY.warmUp().toSeconds()
					+ " s, measure " + LATENCY.measure().toSeconds() + " s); StreamConsoleOutput "
					+ (STREAM_BYTES >> 20) + " MiB per call x " + STREAM_CALLERS + " callers (warm-up "
					+ STREAMING.warmUp().toSeconds() + " s, measure " + STREAMING.measure().toSeconds() + " s); "
					+ "first " + WARM_UP_ROUNDS + " warm-up rounds through each router, each on fresh connections: "
					+ "the check, " + (this.warmUp.warmUp().toSeconds() / WARM_UP_ROUNDS + 1)
					+ " s of 64 callers, 2 s of one caller, 2 s of streaming");
			warmUp(targets.get(1));
			warmUp(targets.get(2));
			if (this.workloads.stream().anyMatch(Set.of("unary", "latency", "stream")::contains)) {
				for (Target target : targets) {
					this.rows.put(target.name(), measure(target));
				}
				if (this.workloads.contains("unary")) {
					measureAgainInReverse(targets);
				}
				print();
			}
			if (this.workloads.contains("scale")) {
				scale(targets.get(1));
			}
			System.out.printf("router scenario took %.0f s; load average now %.2f%n",
					(System.nanoTime() - startedAt) / 1e9, ProcessStats.loadAverage());
		}

		private Target router(String name) {
			return new Target(name, "127.0.0.1:" + this.platform.routerPort(name), InsecureChannelCredentials.create(),
					List.of(this.platform.router(name).pid()));
		}

		/** Creates the server every GetServer asks for, through the router, retrying until the router routes. */
		private void awaitRouting(int routerPort) throws InterruptedException {
			ManagedChannel channel = channel("127.0.0.1:" + routerPort, InsecureChannelCredentials.create());
			try {
				ComputeGrpc.ComputeBlockingStub compute = ComputeGrpc.newBlockingStub(channel)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(this.headers));
				long deadline = System.nanoTime() + START.toNanos();
				StatusRuntimeException last = null;
				while (System.nanoTime() < deadline) {
					try {
						if (this.serverId == null) {
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
						}
						else {
							compute.withDeadlineAfter(5, TimeUnit.SECONDS)
								.getServer(GetServerRequest.newBuilder().setId(this.serverId).build());
						}
						return;
					}
					catch (StatusRuntimeException ex) {
						last = ex; // the router has not seen the replica yet
					}
					Thread.sleep(200);
				}
				throw new IllegalStateException("the router on :" + routerPort + " did not route to "
						+ SecuredPlatform.REPLICA + " after " + START, last);
			}
			finally {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}

		private Row measure(Target target) throws Exception {
			try {
				check(target);
			}
			catch (RuntimeException ex) {
				System.out.println(target.name() + ": check failed, not measured: " + ex);
				return Row.failed(target.name(), ex.toString());
			}
			Row row = new Row(target.name());
			MethodDescriptor<byte[], byte[]> getServer = RawBytes
				.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY);
			if (this.workloads.contains("unary")) {
				Usage usage = new Usage(target, this.platform.replica().pid(),
						(this.profile && target.name().equals(ROUTER)) ? this.platform.state().resolve("profile")
								: null);
				try (Channels channels = Channels.open(target, CONNECTIONS)) {
					row.many = ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION, getServer, this.getServer,
							this.headers, UNARY, usage);
				}
				row.usage = usage;
				if (usage.profile != null) {
					this.profileSummary = usage.profile;
				}
				if (this.h2load != null && target.credentials() instanceof InsecureChannelCredentials) {
					double cpuBefore = ProcessStats.cpuSeconds(usage.hop);
					row.outside = this.h2load.run(target.address(), getServer.getFullMethodName(),
							Map.of("authorization", "Bearer " + this.token, SwitchboardHeaders.INSTANCE.name(),
									SecuredPlatform.REPLICA),
							CONNECTIONS, STREAMS_PER_CONNECTION, H2LOAD_SECONDS);
					// the CPU window spans h2load's 2 s warm-up too: calls over it estimated at the measured rate
					row.outsideCpuMicrosPerCall = (ProcessStats.cpuSeconds(usage.hop) - cpuBefore) * 1e6
							/ (row.outside.callsPerSecond() * (H2LOAD_SECONDS + 2));
				}
			}
			if (this.workloads.contains("latency")) {
				try (Channels channels = Channels.open(target, 1)) {
					row.one = ClosedLoop.unary(channels.list(), 1, getServer, this.getServer, this.headers, LATENCY,
							Window.NONE);
				}
			}
			if (this.workloads.contains("stream")) {
				try (Channels channels = Channels.open(target, STREAM_CALLERS)) {
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
				try (Channels channels = Channels.open(target, CONNECTIONS)) {
					row.manyAgain = ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, UNARY, Window.NONE);
				}
				System.out.printf("%s again: %.0f calls/s (64 callers), %d errors%n", target.name(),
						row.manyAgain.callsPerSecond(), row.manyAgain.errors());
			}
		}

		/**
		 * Loads a router (and so the replica) before anything is measured, so that the first target measured does not
		 * pay for the JIT of the load generator and the replica, nor the router for its own. The warm-up runs in
		 * rounds that each go through the motions of a measurement: the check, fresh connections, 64 callers, one
		 * caller, a stream, the connections closed. Warmed on four long-lived connections only, C2 compiled the hot
		 * Netty paths without the branches a connection's start and end take, so the new connections of the measured
		 * run hit uncommon traps, deoptimized them and had C2 recompile for seconds (a quarter of a core) inside the
		 * window.
		 */
		private void warmUp(Target router) throws InterruptedException {
			long start = System.nanoTime();
			long roundSeconds = Math.max(1, this.warmUp.warmUp().toSeconds() / WARM_UP_ROUNDS);
			for (int round = 0; round < WARM_UP_ROUNDS; round++) {
				check(router);
				try (Channels channels = Channels.open(router, CONNECTIONS)) {
					ClosedLoop.unary(channels.list(), STREAMS_PER_CONNECTION,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, Phases.of(roundSeconds, 1), Window.NONE);
				}
				try (Channels channels = Channels.open(router, 1)) {
					ClosedLoop.unary(channels.list(), 1,
							RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
							this.getServer, this.headers, WARM_UP_ROUND_SHORT, Window.NONE);
				}
				try (Channels channels = Channels.open(router, STREAM_CALLERS)) {
					ClosedLoop.streaming(channels.list(), STREAM_CALLERS,
							RawBytes.method(ComputeGrpc.getStreamConsoleOutputMethod().getFullMethodName(),
									MethodType.SERVER_STREAMING),
							this.console, this.headers, WARM_UP_ROUND_SHORT, Window.NONE);
				}
			}
			System.out.printf("warm-up through %s done in %.0f s%n", router.name(), (System.nanoTime() - start) / 1e9);
		}

		/** One GetServer and one 1 MiB console stream through the target, checked field by field. */
		private void check(Target target) throws InterruptedException {
			ManagedChannel channel = channel(target.address(), target.credentials());
			try {
				ComputeGrpc.ComputeBlockingStub compute = ComputeGrpc.newBlockingStub(channel)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(this.headers))
					.withDeadlineAfter(10, TimeUnit.SECONDS);
				Server server = compute.getServer(GetServerRequest.newBuilder().setId(this.serverId).build());
				if (!server.getId().equals(this.serverId) || !server.getServedBy().equals(SecuredPlatform.REPLICA)) {
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
					if (chunk.getOffset() != offset || !chunk.getServedBy().equals(SecuredPlatform.REPLICA)) {
						throw new IllegalStateException("console chunk at " + chunk.getOffset() + " from "
								+ chunk.getServedBy() + ", expected " + offset + " from " + SecuredPlatform.REPLICA);
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

		/**
		 * What many callers cost the router: {@value #IDLE_CONNECTIONS} idle client connections held open (RSS and CPU
		 * while they idle, and a call on a fresh connection still served), then {@value #STREAMS_ON_ONE_CONNECTION}
		 * closed-loop callers on one connection.
		 */
		private void scale(Target router) throws Exception {
			long pid = this.platform.router(ROUTER).pid();
			List<Long> process = ProcessStats.tree(pid);
			System.out.println();
			System.out.println("== router at scale ==");
			double rssBefore = ProcessStats.rssBytes(process) / (1024.0 * 1024);
			long openedAt = System.nanoTime();
			try (IdleConnections idle = IdleConnections.open(this.platform.routerPort(ROUTER), IDLE_CONNECTIONS)) {
				double openSeconds = (System.nanoTime() - openedAt) / 1e9;
				Thread.sleep(2_000);
				double cpuBefore = ProcessStats.cpuSeconds(process);
				long idleFrom = System.nanoTime();
				Thread.sleep(10_000);
				double idleSeconds = (System.nanoTime() - idleFrom) / 1e9;
				double cpu = (ProcessStats.cpuSeconds(process) - cpuBefore) / idleSeconds * 100;
				double rssHeld = ProcessStats.rssBytes(process) / (1024.0 * 1024);
				String served;
				try {
					check(router);
					served = "served";
				}
				catch (RuntimeException ex) {
					served = "FAILED: " + ex.getMessage();
				}
				System.out.printf("%,d idle client connections (HTTP/2 preface and SETTINGS, then nothing): opened in "
						+ "%.1f s, %,d still open after %.0f s; router RSS %.0f MiB before, %.0f MiB holding them "
						+ "(%.1f KiB per connection); router CPU while they idle %.1f%% of a core; a call on a fresh "
						+ "connection meanwhile: %s%n", IDLE_CONNECTIONS, openSeconds, idle.stillOpen(), idleSeconds + 2,
						rssBefore, rssHeld, (rssHeld - rssBefore) * 1024 / IDLE_CONNECTIONS, cpu, served);
			}
			Usage usage = new Usage(router, this.platform.replica().pid(), null);
			UnaryResult result;
			try (Channels channels = Channels.open(router, 1)) {
				result = ClosedLoop.unary(channels.list(), STREAMS_ON_ONE_CONNECTION,
						RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY),
						this.getServer, this.headers, UNARY, usage);
			}
			System.out.printf("%,d concurrent streams on one connection (closed loop, GetServer): %.0f calls/s, p50 "
					+ "%.0f µs, p99 %.0f µs, %d errors%s; router CPU per call %.0f µs, RSS %.0f MiB; CPU%% "
					+ "router/replica/loadgen/rest %s%n", STREAMS_ON_ONE_CONNECTION, result.callsPerSecond(),
					result.micros(50), result.micros(99), result.errors(),
					(result.firstError() != null) ? " (first: " + result.firstError() + ")" : "",
					usage.hopMicrosPerCall(result), usage.hopRssBytes / (1024.0 * 1024), usage.cpu());
		}

		private void print() {
			System.out.println();
			System.out.println("target          |  calls/s | h2load c/s |  p50 µs |  p99 µs | 1-caller p50 µs | "
					+ "stream MB/s | errors | hop CPU µs/call bench/h2load | CPU% hop/replica/loadgen/rest | hop RSS MiB");
			for (Row row : this.rows.values()) {
				System.out.println(row.line());
			}
			System.out.println("(calls/s: the bench client's, the mean of two passes, the targets in order, then in "
					+ "reverse order; h2load: one pass; CPU of one core over the first pass's 64-caller window; "
					+ "rest: every other process on the machine, the registry and auth included; latency percentiles "
					+ "from the first pass)");
			System.out.println("calls/s per pass: " + this.rows.values()
				.stream()
				.filter((row) -> row.many != null)
				.map(Row::passes)
				.collect(Collectors.joining(", ")));
			Row direct = this.rows.get(DIRECT);
			Row router = this.rows.get(ROUTER);
			Row authOff = this.rows.get(ROUTER_AUTH_OFF);
			Row haproxy = this.rows.get(HAPROXY);
			System.out.println();
			if (router == null || router.error != null) {
				System.out.println("no router figures to compare");
				return;
			}
			if (router.many != null) {
				ratio("router/direct calls/s", router.callsPerSecond(), direct, Row::callsPerSecond, TARGET_VS_DIRECT);
				ratio("router/HAProxy calls/s", router.callsPerSecond(), haproxy, Row::callsPerSecond,
						TARGET_VS_HAPROXY);
				if (router.outside != null) {
					ratio("router/HAProxy, h2load", router.outside.callsPerSecond(), haproxy, Row::outsideCallsPerSecond,
							TARGET_VS_HAPROXY);
				}
				if (authOff != null && authOff.many != null) {
					double cost = 1 - router.callsPerSecond() / authOff.callsPerSecond();
					System.out.printf("%-28s %5.1f%%     (target < %.0f%%: %s)%n", "auth on costs (bench)", cost * 100,
							TARGET_AUTH_COST * 100, met(cost < TARGET_AUTH_COST));
					if (router.outside != null && authOff.outside != null) {
						cost = 1 - router.outside.callsPerSecond() / authOff.outside.callsPerSecond();
						System.out.printf("%-28s %5.1f%%     (target < %.0f%%: %s)%n", "auth on costs (h2load)",
								cost * 100, TARGET_AUTH_COST * 100, met(cost < TARGET_AUTH_COST));
					}
				}
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
			if (this.profileSummary != null) {
				System.out.println("router CPU profile over its 64-caller window (JFR): " + this.profileSummary);
			}
		}

		private static void ratio(String label, double router, Row other,
				ToDoubleFunction<Row> figure, double target) {
			double theirs = (other == null || other.many == null) ? 0 : figure.applyAsDouble(other);
			if (theirs == 0) {
				System.out.printf("%-28s    n/a%n", label);
				return;
			}
			double ratio = router / theirs;
			System.out.printf("%-28s %6.2f     (target >= %.2f: %s)%n", label, ratio, target, met(ratio >= target));
		}

		private static String met(boolean met) {
			return met ? "met" : "NOT met";
		}

		private static ManagedChannel channel(String address, ChannelCredentials credentials) {
			return Grpc.newChannelBuilder(address, credentials).maxInboundMessageSize(2 << 20).build();
		}

		private static String describe(Optional<Path> tool) {
			return tool.map(Path::toString).orElse("missing");
		}

	}

	/**
	 * Where the load goes.
	 *
	 * @param name what the table calls it
	 * @param address its gRPC address
	 * @param credentials how a connection to it is secured: mutual TLS as a router for the replica, plaintext for
	 * the fronts of the router and HAProxy
	 * @param hopPids the processes between the load generator and the replica (none for direct)
	 */
	private record Target(String name, String address, ChannelCredentials credentials, List<Long> hopPids) {

	}

	/** The load's connections: one channel per TCP connection, callbacks on the transport's threads. */
	private record Channels(List<ManagedChannel> list) implements AutoCloseable {

		static Channels open(Target target, int count) {
			List<ManagedChannel> channels = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				channels.add(Grpc.newChannelBuilder(target.address(), target.credentials())
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

	/**
	 * CPU of the hop, the replica and the load generator over the window; the hop's RSS and its threads; when asked,
	 * the hop's CPU profile over the window.
	 */
	private static final class Usage implements Window {

		private final List<Long> hop;

		private final long replica;

		private final long hopPid;

		private final Path profileDir;

		private CpuProfile recording;

		private String profile;

		private double[] before;

		private double[] used = new double[] { Double.NaN, Double.NaN, Double.NaN, Double.NaN };

		private long openedAt;

		private double seconds;

		private long hopRssBytes;

		private Map<Long, ProcessStats.ThreadCpu> threadsBefore = Map.of();

		private List<ProcessStats.ThreadCpu> threadsUsed = List.of();

		Usage(Target target, long replica, Path profileDir) {
			this.hop = target.hopPids().isEmpty() ? List.of() : ProcessStats.tree(target.hopPids().get(0));
			this.hopPid = target.hopPids().isEmpty() ? -1 : target.hopPids().get(0);
			this.replica = replica;
			this.profileDir = profileDir;
		}

		@Override
		public void opened() {
			if (this.profileDir != null) {
				try {
					this.recording = CpuProfile.start(this.hopPid, this.profileDir);
				}
				catch (Exception ex) {
					this.profile = "not recorded: " + ex.getMessage();
				}
			}
			this.openedAt = System.nanoTime();
			this.before = sample();
			if (this.hopPid > 0) {
				this.threadsBefore = ProcessStats.threads(this.hopPid);
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
			if (this.hopPid > 0) {
				this.threadsUsed = ProcessStats.used(this.threadsBefore, ProcessStats.threads(this.hopPid));
			}
			if (this.recording != null) {
				try {
					this.profile = this.recording.stop();
				}
				catch (Exception ex) {
					this.profile = "not recorded: " + ex.getMessage();
				}
			}
		}

		private double[] sample() {
			return new double[] { ProcessStats.cpuSeconds(this.hop), ProcessStats.cpuSeconds(List.of(this.replica)),
					ProcessStats.cpuSeconds(List.of(ProcessHandle.current().pid())), ProcessStats.machineBusySeconds() };
		}

		/** The hop's CPU time per call over the window, in µs; NaN without a hop. */
		double hopMicrosPerCall(UnaryResult result) {
			return this.hop.isEmpty() ? Double.NaN : this.used[0] * 1e6 / result.callsPerSecond();
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

		/** The 64-caller throughput with h2load. */
		private H2load.Result outside;

		private double outsideCpuMicrosPerCall = Double.NaN;

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

		double outsideCallsPerSecond() {
			return (this.outside != null) ? this.outside.callsPerSecond() : 0;
		}

		String passes() {
			return String.format("%s %.0f / %s", this.name, this.many.callsPerSecond(),
					(this.manyAgain != null) ? String.format("%.0f", this.manyAgain.callsPerSecond()) : "-");
		}

		long errors() {
			return ((this.many != null) ? this.many.errors() : 0)
					+ ((this.manyAgain != null) ? this.manyAgain.errors() : 0)
					+ ((this.outside != null) ? this.outside.failed() : 0)
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
			if (this.outside != null) {
				parts.add(String.format("h2load %.0f calls/s (%d failed)", this.outside.callsPerSecond(),
						this.outside.failed()));
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
				return String.format("%-15s | not measured: %s", this.name, this.error);
			}
			return String.format("%-15s | %8s | %10s | %7s | %7s | %15s | %11s | %6d | %28s | %29s | %11s",
					this.name, (this.many != null) ? String.format("%.0f", callsPerSecond()) : "-",
					(this.outside != null) ? String.format("%.0f", this.outside.callsPerSecond()) : "-",
					(this.many != null) ? String.format("%.0f", this.many.micros(50)) : "-",
					(this.many != null) ? String.format("%.0f", this.many.micros(99)) : "-",
					(this.one != null) ? String.format("%.0f", this.one.micros(50)) : "-",
					(this.stream != null) ? String.format("%.0f", this.stream.megabytesPerSecond()) : "-", errors(),
					cpuPerCall(), (this.usage != null) ? this.usage.cpu() : "-",
					(this.usage != null && !this.usage.hop.isEmpty())
							? String.format("%.0f", this.usage.hopRssBytes / (1024.0 * 1024)) : "-");
		}

		private String cpuPerCall() {
			if (this.usage == null || this.usage.hop.isEmpty()) {
				return "-";
			}
			return String.format("%.0f / %s", this.usage.hopMicrosPerCall(this.many),
					Double.isNaN(this.outsideCpuMicrosPerCall) ? "-" : String.format("%.0f", this.outsideCpuMicrosPerCall));
		}

	}

}
