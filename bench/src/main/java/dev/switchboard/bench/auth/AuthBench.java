package dev.switchboard.bench.auth;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.RevokeTokenRequest;
import dev.switchboard.bench.load.ClosedLoop;
import dev.switchboard.bench.load.Phases;
import dev.switchboard.bench.load.RawBytes;
import dev.switchboard.bench.load.UnaryResult;
import dev.switchboard.bench.load.Window;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PlatformSecrets;
import dev.switchboard.bench.platform.WiredPlatform;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.client.identity.RemoteCertificateIssuer;
import dev.switchboard.client.identity.SpiffeId;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import org.HdrHistogram.Histogram;

/**
 * The cost of authorization, in one run: auth, registry, one compute replica and three routers (two enforcing auth,
 * one not) as real processes on 127.0.0.1.
 * <ol>
 * <li>router throughput with auth on (decisions cached) against auth off, same replica, same load, alternated;</li>
 * <li>cold {@code Authorize} latency, asked of the auth service directly, p50/p99 over 1,000 questions;</li>
 * <li>time from a revocation to the first refused call on every router, over 10 revocations.</li>
 * </ol>
 */
public final class AuthBench {

	private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");

	private static final Duration START = Duration.ofSeconds(120);

	private static final Phases LOAD = Phases.of(3, 8);

	private AuthBench() {
	}

	public static void run() throws Exception {
		List<PlatformProcess> processes = new ArrayList<>();
		List<ManagedChannel> channels = new ArrayList<>();
		Path state = Files.createTempDirectory("switchboard-auth-bench");
		try {
			// one client per group and mutual TLS on every hop, as ./switchboard up runs the platform
			WiredPlatform platform = new WiredPlatform(state, 1);
			PlatformSecrets secrets = platform.secrets();
			String authGrpc = platform.authAddress();
			PlatformProcess auth = started(processes, platform.startAuth("bench-auth", JVM, List.of(), Map.of()));
			secrets.awaitTrustBundle(auth, START);
			auth.awaitHealthy(START);
			started(processes, platform.startRegistry("bench-auth-registry", 1, JVM, List.of(), Map.of()));
			started(processes, platform.start("bench-auth-compute", PlatformService.COMPUTE, "bench-compute", JVM,
					List.of("--spring.grpc.server.port=0")));
			Map<String, Integer> routers = new HashMap<>();
			for (String name : List.of("router-auth-1", "router-auth-2", "router-no-auth")) {
				int port = PlatformProcess.freePort();
				routers.put(name, port);
				started(processes, platform.start("bench-" + name, PlatformService.ROUTER, name, JVM,
						List.of("--spring.grpc.server.port=" + port,
								"--switchboard.router.auth.enabled=" + !name.equals("router-no-auth"))));
			}
			for (PlatformProcess process : processes) {
				process.awaitHealthy(START);
			}
			Map<String, String> credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
			URI tokens = platform.tokenUri();
			String demo = PlatformClients.token(tokens, credentials.get("SWITCHBOARD_DEMO_CLIENT_ID"),
					credentials.get("SWITCHBOARD_DEMO_CLIENT_SECRET"));
			String admin = PlatformClients.token(tokens, credentials.get("SWITCHBOARD_ADMIN_CLIENT_ID"),
					credentials.get("SWITCHBOARD_ADMIN_CLIENT_SECRET"));
			// auth serves TLS with its platform certificate; the bench needs none of its own to call it with a token
			ManagedChannel authChannel = Grpc.newChannelBuilder(authGrpc,
					TlsChannelCredentials.newBuilder()
						.trustManager(PlatformTrust.fromFile("switchboard.local", secrets.trustBundle())
							.trustManager(Set.of("auth")))
						.build())
				.build();
			channels.add(authChannel);
			Map<String, ManagedChannel> routerChannels = new HashMap<>();
			routers.forEach((name, port) -> routerChannels.put(name, open(channels, port)));
			String serverId = awaitRouting(routerChannels.get("router-auth-1"), demo);

			System.out.println("== auth (auth, registry, 1 compute replica, 3 routers; 2 cores, all on 127.0.0.1) ==");
			throughput(routers, demo, serverId);
			// Authorize answers routers and registries only: asked here as a router
			PlatformTrust trust = PlatformTrust.fromFile("switchboard.local", secrets.trustBundle());
			RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(authGrpc),
					new TokenSource(List.of(tokens), "router", secrets.secret("router"), Clock.systemUTC()), trust, 5000);
			PlatformIdentity router = new PlatformIdentity(SpiffeId.of("switchboard.local", "router", "bench-asking"),
					issuer, trust, 0.66, Clock.systemUTC());
			router.renew();
			ManagedChannel asRouter = Grpc.newChannelBuilder(authGrpc,
					new IdentityChannelCredentials(router).forGroup("auth")).build();
			channels.add(asRouter);
			coldAuthorize(asRouter, demo);
			issuer.close();
			revocation(tokens, authChannel, admin, routerChannels);
		}
		finally {
			channels.forEach(ManagedChannel::shutdownNow);
			processes.forEach(PlatformProcess::close);
		}
	}

	/** Unary GetServer, 4 connections x 16 streams, on the router without auth and one with it, twice each. */
	private static void throughput(Map<String, Integer> routers, String token, String serverId) throws Exception {
		Metadata headers = PlatformClients.bearer(token);
		byte[] request = GetServerRequest.newBuilder().setId(serverId).build().toByteArray();
		var method = RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(), MethodType.UNARY);
		// warm every JIT up first, on both
		for (String name : List.of("router-no-auth", "router-auth-1")) {
			load(routers.get(name), method, request, headers, Phases.of(10, 2));
		}
		double off = 0;
		double on = 0;
		UnaryResult lastOn = null;
		for (int round = 0; round < 2; round++) {
			off += load(routers.get("router-no-auth"), method, request, headers, LOAD).callsPerSecond();
			lastOn = load(routers.get("router-auth-1"), method, request, headers, LOAD);
			on += lastOn.callsPerSecond();
		}
		off /= 2;
		on /= 2;
		System.out.printf("router throughput, 64 callers: auth off %.0f calls/s, auth on (cached) %.0f calls/s: "
				+ "%.1f%% lost (target < 5%%); auth-on p50 %.0f µs, p99 %.0f µs, errors %d%n", off, on,
				100 * (off - on) / off, lastOn.micros(50), lastOn.micros(99), lastOn.errors());
	}

	private static UnaryResult load(int port, io.grpc.MethodDescriptor<byte[], byte[]> method, byte[] request,
			Metadata headers, Phases phases) throws InterruptedException {
		List<ManagedChannel> connections = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			connections.add(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
		}
		try {
			return ClosedLoop.unary(connections, 16, method, request, headers, phases, Window.NONE);
		}
		finally {
			connections.forEach(ManagedChannel::shutdownNow);
		}
	}

	/** Authorize asked of the auth service directly, each question new to every cache. */
	private static void coldAuthorize(ManagedChannel auth, String token) {
		AuthGrpc.AuthBlockingStub stub = AuthGrpc.newBlockingStub(auth);
		Histogram micros = new Histogram(3);
		for (int i = 0; i < 1100; i++) {
			long start = System.nanoTime();
			stub.withDeadlineAfter(5, TimeUnit.SECONDS)
				.authorize(AuthorizeRequest.newBuilder()
					.setToken(token)
					.setAction(Action.call("compute", "bench.v1.Cold/Method" + i).toString())
					.build());
			if (i >= 100) {
				micros.recordValue((System.nanoTime() - start) / 1000);
			}
		}
		System.out.printf("cold Authorize (1,000 questions, one at a time, after 100 warm-up): p50 %.2f ms, "
				+ "p99 %.2f ms%n", micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0);
	}

	/**
	 * Revokes a token both enforcing routers have cached as allowed, then calls both in a tight loop until each
	 * refuses it; the figure is when the slower one first refused.
	 */
	private static void revocation(URI tokens, ManagedChannel auth, String admin, Map<String, ManagedChannel> routers)
			throws Exception {
		AuthGrpc.AuthBlockingStub adminStub = AuthGrpc.newBlockingStub(auth)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(admin)));
		String secret = adminStub.createClient(CreateClientRequest.newBuilder()
			.setClientId("revocation-bench")
			.addGrants("call:compute/*")
			.build()).getClientSecret();
		List<Double> everyRouter = new ArrayList<>();
		for (int round = 0; round < 10; round++) {
			String token = PlatformClients.token(tokens, "revocation-bench", secret);
			List<ComputeGrpc.ComputeBlockingStub> stubs = new ArrayList<>();
			for (String name : List.of("router-auth-1", "router-auth-2")) {
				ComputeGrpc.ComputeBlockingStub stub = ComputeGrpc.newBlockingStub(routers.get(name))
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)));
				stub.listServers(dev.switchboard.sample.compute.v1.ListServersRequest.getDefaultInstance());
				stubs.add(stub);
			}
			long revoked = System.nanoTime();
			adminStub.revokeToken(RevokeTokenRequest.newBuilder().setToken(token).build());
			List<CompletableFuture<Long>> refused = new ArrayList<>();
			for (ComputeGrpc.ComputeBlockingStub stub : stubs) {
				refused.add(CompletableFuture.supplyAsync(() -> firstRefusal(stub)));
			}
			long slowest = 0;
			for (CompletableFuture<Long> each : refused) {
				slowest = Math.max(slowest, each.get(10, TimeUnit.SECONDS));
			}
			everyRouter.add((slowest - revoked) / 1e6);
		}
		Collections.sort(everyRouter);
		System.out.printf("revocation -> first refused call on every router (2 routers, 10 revocations, measured from "
				+ "the RevokeToken call): median %.0f ms, max %.0f ms%n", everyRouter.get(everyRouter.size() / 2),
				everyRouter.get(everyRouter.size() - 1));
	}

	private static long firstRefusal(ComputeGrpc.ComputeBlockingStub stub) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (System.nanoTime() < deadline) {
			try {
				stub.listServers(dev.switchboard.sample.compute.v1.ListServersRequest.getDefaultInstance());
			}
			catch (StatusRuntimeException ex) {
				if (ex.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
					return System.nanoTime();
				}
			}
		}
		throw new IllegalStateException("a revoked token was still accepted after 5 s");
	}

	private static String awaitRouting(ManagedChannel router, String token) throws InterruptedException {
		ComputeGrpc.ComputeBlockingStub stub = ComputeGrpc.newBlockingStub(router)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (true) {
			try {
				return stub.withDeadlineAfter(5, TimeUnit.SECONDS)
					.createServer(CreateServerRequest.newBuilder()
						.setName("bench")
						.setFlavor("m1.small")
						.setImage("debian-12")
						.build())
					.getId();
			}
			catch (StatusRuntimeException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(200);
			}
		}
	}

	private static ManagedChannel open(List<ManagedChannel> channels, int port) {
		ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
		channels.add(channel);
		return channel;
	}

	private static PlatformProcess started(List<PlatformProcess> processes, PlatformProcess process) {
		processes.add(process);
		return process;
	}

}
