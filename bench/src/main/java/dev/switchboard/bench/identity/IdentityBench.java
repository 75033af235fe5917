package dev.switchboard.bench.identity;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.bench.load.ClosedLoop;
import dev.switchboard.bench.load.H2load;
import dev.switchboard.bench.load.Phases;
import dev.switchboard.bench.load.RawBytes;
import dev.switchboard.bench.load.UnaryResult;
import dev.switchboard.bench.load.Window;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PlatformSecrets;
import dev.switchboard.bench.platform.ProcessStats;
import dev.switchboard.bench.platform.PresentedCertificate;
import dev.switchboard.bench.router.PeerProxy;
import dev.switchboard.common.auth.TokenSource;
import dev.switchboard.common.identity.IdentityChannelCredentials;
import dev.switchboard.common.identity.IssuedCertificate;
import dev.switchboard.common.identity.Pem;
import dev.switchboard.common.identity.PlatformIdentity;
import dev.switchboard.common.identity.PlatformTrust;
import dev.switchboard.common.identity.RemoteCertificateIssuer;
import dev.switchboard.common.identity.SpiffeId;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.HdrHistogram.Histogram;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Figures of the platform identity, on a platform started as {@code ./switchboard up} starts it (auth on, one client
 * per group, mutual TLS on every hop): how long a certificate takes to issue and how many auth issues per second; how
 * soon a renewed certificate is presented to new connections; and the router forwarding to its replica over mutual
 * TLS, against a direct mutual-TLS call and HAProxy re-encrypting to the same replica with its own client
 * certificate, in one run, interleaved.
 */
public final class IdentityBench {

	private static final Duration START = Duration.ofSeconds(120);

	/** Short, so renewals can be watched within the run. */
	private static final Duration CERTIFICATE_LIFETIME = Duration.ofSeconds(20);

	private static final String TRUST_DOMAIN = "switchboard.local";

	/** The JVM the router and the replica run with: C2 on, as RouterBench runs them. */
	private static final List<String> SERVICE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");

	private static final Phases THROUGHPUT = Phases.of(3, 8);

	private static final Phases LATENCY = Phases.of(2, 6);

	private IdentityBench() {
	}

	public static void run() throws Exception {
		List<PlatformProcess> processes = new ArrayList<>();
		List<AutoCloseable> closing = new ArrayList<>();
		Path state = Files.createTempDirectory("switchboard-identity-bench");
		try {
			int authGrpc = PlatformProcess.freePort();
			int registryGrpc = PlatformProcess.freePort();
			int routerGrpc = PlatformProcess.freePort();
			int replicaGrpc = PlatformProcess.freePort();
			PlatformSecrets secrets = PlatformSecrets.create(state);
			List<String> component = List.of("--switchboard.component.host=127.0.0.1",
					"--switchboard.component.registry.addresses=127.0.0.1:" + registryGrpc);
			List<String> authArgs = new ArrayList<>(component);
			authArgs.addAll(secrets.authArguments());
			authArgs.addAll(List.of("--spring.grpc.server.port=" + authGrpc, "--switchboard.auth.data-dir=" + state,
					"--switchboard.auth.bootstrap.credentials-file=" + state.resolve("credentials.env"),
					"--switchboard.auth.ca.certificate-lifetime=" + CERTIFICATE_LIFETIME.toSeconds() + "s",
					"--switchboard.component.instance-id=bench-auth"));
			PlatformProcess auth = start(processes, PlatformProcess.start("bench-identity-auth", "auth-service",
					"auth-service", authArgs, secrets.componentEnvironment("auth")));
			secrets.awaitTrustBundle(auth, START);
			auth.awaitHealthy(START);
			URI tokenUri = URI.create("http://127.0.0.1:" + auth.httpPort() + "/oauth2/token");
			List<String> identity = secrets.identityArguments("127.0.0.1:" + authGrpc);
			List<String> registryArgs = new ArrayList<>(identity);
			registryArgs.addAll(secrets.registryArguments(tokenUri.toString()));
			registryArgs.addAll(List.of("--spring.grpc.server.port=" + registryGrpc,
					"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
					"--switchboard.registry.auth.fallback-address=127.0.0.1:" + authGrpc));
			start(processes, PlatformProcess.start("bench-identity-registry", "registry-service", "registry-service",
					registryArgs, secrets.registryEnvironment()));
			List<String> replicaArgs = new ArrayList<>(component);
			replicaArgs.addAll(identity);
			replicaArgs.addAll(secrets.componentArguments("compute"));
			replicaArgs.addAll(List.of("--switchboard.component.credentials.token-uri=" + tokenUri,
					"--spring.grpc.server.port=" + replicaGrpc, "--switchboard.component.instance-id=bench-compute"));
			PlatformProcess replica = start(processes, PlatformProcess.start("bench-identity-compute",
					"sample-components/compute",
					"sample-compute", SERVICE_JVM, replicaArgs, secrets.componentEnvironment("compute")));
			List<String> routerArgs = new ArrayList<>(component);
			routerArgs.addAll(identity);
			routerArgs.addAll(secrets.componentArguments("router"));
			routerArgs.addAll(List.of("--switchboard.component.credentials.token-uri=" + tokenUri,
					"--spring.grpc.server.port=" + routerGrpc, "--switchboard.component.instance-id=bench-router",
					"--switchboard.router.auth.fallback-address=127.0.0.1:" + authGrpc));
			// the router as users run it (deploy/jvm/router.options)
			PlatformProcess router = start(processes, PlatformProcess.start("bench-identity-router", "router-service",
					"router-service", PlatformProcess.ROUTER_JVM, routerArgs, secrets.componentEnvironment("router")));
			for (PlatformProcess process : processes) {
				process.awaitHealthy(START);
			}
			Map<String, String> credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
			String demo = PlatformClients.token(tokenUri, credentials.get("SWITCHBOARD_DEMO_CLIENT_ID"),
					credentials.get("SWITCHBOARD_DEMO_CLIENT_SECRET"));
			PlatformTrust trust = PlatformTrust.fromFile(TRUST_DOMAIN, secrets.trustBundle());
			String authTarget = "127.0.0.1:" + authGrpc;
			String replicaTarget = "127.0.0.1:" + replicaGrpc;

			System.out.println("== identity (auth, registry, 1 compute replica, router; mutual TLS on every hop; "
					+ "2 cores, all on 127.0.0.1) ==");
			issuance(authTarget, tokenUri, secrets, trust);
			PlatformIdentity asRouter = identity(authTarget, tokenUri, "router", secrets.secret("router"),
					"bench-direct", trust, closing);
			renewalInUse(replica, replicaTarget, trust, asRouter);
			forwarding(state, authTarget, tokenUri, secrets, trust, asRouter, routerGrpc, replicaTarget,
					replicaGrpc, demo, router, closing);
		}
		finally {
			for (AutoCloseable resource : closing) {
				resource.close();
			}
			processes.forEach(PlatformProcess::close);
		}
	}

	/** Sequential issuance latency, then issuance rate with 4 callers, each renewing its own identity. */
	private static void issuance(String authTarget, URI tokenUri, PlatformSecrets secrets, PlatformTrust trust)
			throws Exception {
		List<AutoCloseable> closing = new ArrayList<>();
		try {
			PlatformIdentity identity = identity(authTarget, tokenUri, "compute", secrets.secret("compute"),
					"bench-issuance", trust, closing);
			for (int i = 0; i < 50; i++) {
				identity.renew();
			}
			Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
			for (int i = 0; i < 300; i++) {
				long started = System.nanoTime();
				identity.renew();
				latency.recordValue(System.nanoTime() - started);
			}
			System.out.printf("certificate issuance (new P-256 key, CSR, IssueCertificate over TLS with a cached token, "
					+ "chain verified), one caller, 300 in a row: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
					latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
					latency.getMaxValue() / 1e6);
			List<PlatformIdentity> callers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				callers.add(identity(authTarget, tokenUri, "compute", secrets.secret("compute"), "bench-issuance-" + i,
						trust, closing));
			}
			AtomicLong issued = new AtomicLong();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			List<Thread> threads = new ArrayList<>();
			for (PlatformIdentity caller : callers) {
				threads.add(Thread.ofPlatform().start(() -> {
					while (System.nanoTime() < deadline) {
						caller.renew();
						issued.incrementAndGet();
					}
				}));
			}
			for (Thread thread : threads) {
				thread.join();
			}
			System.out.printf("certificate issuance, 4 callers for 5 s: %.0f certificates/s%n", issued.get() / 5.0);
		}
		finally {
			for (AutoCloseable resource : closing) {
				resource.close();
			}
		}
	}

	/**
	 * Watches the replica's certificate over two of its renewals: the time from the replica logging that it holds a
	 * new certificate to the first new connection that is shown it, probed every 50 ms with a full handshake.
	 */
	private static void renewalInUse(PlatformProcess replica, String replicaTarget, PlatformTrust trust,
			PlatformIdentity client) {
		X509Certificate current = PresentedCertificate.of(replicaTarget, trust.trustManager(Set.of("compute")),
				client.keyManager());
		List<String> delays = new ArrayList<>();
		long deadline = System.nanoTime() + CERTIFICATE_LIFETIME.multipliedBy(3).toNanos();
		while (delays.size() < 2 && System.nanoTime() < deadline) {
			sleep(50);
			X509Certificate seen = PresentedCertificate.of(replicaTarget, trust.trustManager(Set.of("compute")),
					client.keyManager());
			if (!seen.getSerialNumber().equals(current.getSerialNumber())) {
				Instant shown = Instant.now();
				delays.add(loggedAt(replica, seen.getSerialNumber().toString(16))
					.map((held) -> Duration.between(held, shown).toMillis() + " ms")
					.orElse("? (not in the log)"));
				current = seen;
			}
		}
		System.out.printf("renewed certificate in use (%d s certificates, renewed at two thirds of their life): first "
				+ "new connection shown it %s after the replica got it (probe every 50 ms)%n",
				CERTIFICATE_LIFETIME.toSeconds(), delays.isEmpty() ? "never, within three lifetimes" : delays);
	}

	/** When the process logged that it holds the certificate with this serial (its log's timestamps, UTC). */
	private static Optional<Instant> loggedAt(PlatformProcess process, String serial) {
		for (String line : process.log().split("\n")) {
			if (line.contains("Certificate for") && line.contains("(serial " + serial + ")")) {
				return Optional.of(Instant.parse(line.substring(0, line.indexOf(' '))));
			}
		}
		return Optional.empty();
	}

	/**
	 * 64 callers (4 connections x 16) and one caller on unary GetServer: direct to the replica over mutual TLS, through
	 * the router (plaintext front, mutual TLS to the replica, auth on with cached decisions) and through HAProxy
	 * re-encrypting with its own certificate; interleaved, twice each.
	 */
	private static void forwarding(Path state, String authTarget, URI tokenUri, PlatformSecrets secrets,
			PlatformTrust trust, PlatformIdentity asRouter, int routerGrpc, String replicaTarget, int replicaGrpc,
			String token, PlatformProcess router, List<AutoCloseable> closing) throws Exception {
		Metadata headers = PlatformClients.bearer(token);
		ChannelCredentials direct = new IdentityChannelCredentials(asRouter).forGroup("compute");
		String serverId = awaitServer("127.0.0.1:" + routerGrpc, InsecureChannelCredentials.create(), headers);
		byte[] request = GetServerRequest.newBuilder().setId(serverId).build().toByteArray();
		MethodDescriptor<byte[], byte[]> method = RawBytes.method(ComputeGrpc.getGetServerMethod().getFullMethodName(),
				MethodType.UNARY);
		Map<String, Target> targets = new LinkedHashMap<>();
		targets.put("direct (mTLS)", new Target(replicaTarget, direct, () -> {
		}, List::of));
		targets.put("router", new Target("127.0.0.1:" + routerGrpc, InsecureChannelCredentials.create(), () -> {
		}, () -> ProcessStats.tree(router.pid())));
		Optional<Path> haproxy = PeerProxy.find("haproxy");
		if (haproxy.isPresent()) {
			int port = PlatformProcess.freePort();
			PeerProxy[] proxy = new PeerProxy[1];
			closing.add(() -> {
				if (proxy[0] != null) {
					proxy[0].close();
				}
			});
			// HAProxy reads its client certificate at start: started afresh with a new one before each load, which
			// is shorter than the bench's certificate lifetime
			targets.put("haproxy (re-encrypting)", new Target("127.0.0.1:" + port, InsecureChannelCredentials.create(),
					() -> {
						try {
							if (proxy[0] != null) {
								proxy[0].close();
							}
							Path pem = clientPem(state, authTarget, tokenUri, secrets.secret("router"), trust);
							proxy[0] = PeerProxy.haproxyReencrypting(haproxy.get(), state.resolve("haproxy"), port,
									replicaGrpc, pem, secrets.trustBundle());
						}
						catch (Exception ex) {
							throw new IllegalStateException("cannot start HAProxy: " + ex.getMessage(), ex);
						}
					}, () -> (proxy[0] != null) ? proxy[0].pids() : List.of()));
		}
		else {
			System.out.println("haproxy not installed: the HAProxy comparison is skipped (bench/run installs it as root)");
		}
		// the outside load generator drives every target whose front is plaintext (h2load presents no certificate)
		Optional<Path> h2loadExecutable = PeerProxy.find("h2load");
		H2load h2load = (h2loadExecutable.isPresent()) ? H2load.of(h2loadExecutable.get(), state, request) : null;
		if (h2load == null) {
			System.out.println("h2load not installed: its figures are skipped (bench/run installs it as root)");
		}
		for (Target target : targets.values()) {
			target.prepare().run();
			load(target, 16, method, request, headers, Phases.of(10, 1));
		}
		Map<String, double[]> sums = new LinkedHashMap<>();
		for (int round = 0; round < 2; round++) {
			for (Map.Entry<String, Target> entry : targets.entrySet()) {
				double[] sum = sums.computeIfAbsent(entry.getKey(), (key) -> new double[8]);
				entry.getValue().prepare().run();
				List<Long> hop = entry.getValue().hop().get();
				double cpuBefore = ProcessStats.cpuSeconds(hop);
				UnaryResult many = load(entry.getValue(), 16, method, request, headers, THROUGHPUT);
				// the CPU window spans the warm-up too: calls over it estimated at the measured rate
				double windowSeconds = (THROUGHPUT.warmUp().toMillis() + THROUGHPUT.measure().toMillis()) / 1000.0;
				sum[4] += (ProcessStats.cpuSeconds(hop) - cpuBefore) * 1e6 / (many.callsPerSecond() * windowSeconds)
						/ 2;
				if (h2load != null && entry.getValue().credentials() instanceof InsecureChannelCredentials) {
					entry.getValue().prepare().run();
					hop = entry.getValue().hop().get();
					cpuBefore = ProcessStats.cpuSeconds(hop);
					H2load.Result outside = h2load.run(entry.getValue().address(), method.getFullMethodName(),
							Map.of("authorization", "Bearer " + token), 4, 16, 8);
					// the CPU window spans h2load's 2 s warm-up too: calls over it estimated at the measured rate
					double calls = outside.callsPerSecond() * 10;
					sum[5] += outside.callsPerSecond() / 2;
					sum[6] += (ProcessStats.cpuSeconds(hop) - cpuBefore) * 1e6 / calls / 2;
					sum[7] += outside.failed();
				}
				entry.getValue().prepare().run();
				UnaryResult one = loadOne(entry.getValue(), method, request, headers);
				for (UnaryResult result : List.of(many, one)) {
					if (result.errors() > 0) {
						System.out.printf("  %s: %d errors, the first: %s%n", entry.getKey(), result.errors(),
								result.firstError());
					}
				}
				sum[0] += many.callsPerSecond() / 2;
				sum[1] += one.micros(50) / 2;
				sum[2] += one.micros(99) / 2;
				sum[3] += many.errors() + one.errors();
			}
		}
		sums.forEach((name, sum) -> System.out.printf("  %-24s %8.0f calls/s (64 callers, bench client), %s; 1 caller "
				+ "p50 %5.0f µs, p99 %5.0f µs; errors %.0f; hop CPU per call %s%n", name, sum[0],
				(sum[5] > 0) ? String.format("%.0f calls/s with h2load (%.0f failed)", sum[5], sum[7]) : "no h2load",
				sum[1], sum[2], sum[3], (sum[4] > 0) ? String.format("%.0f µs (bench client)%s", sum[4],
						(sum[6] > 0) ? String.format(", %.0f µs (h2load)", sum[6]) : "") : "-"));
		double[] routed = sums.get("router");
		double[] straight = sums.get("direct (mTLS)");
		System.out.printf("router/direct throughput %.2f; router's added p50 at one caller %.0f µs%n",
				routed[0] / straight[0], routed[1] - straight[1]);
		double[] peer = sums.get("haproxy (re-encrypting)");
		if (peer != null) {
			System.out.printf("router/HAProxy throughput %.2f; HAProxy's added p50 at one caller %.0f µs%n",
					routed[0] / peer[0], peer[1] - straight[1]);
			if (routed[5] > 0 && peer[5] > 0) {
				System.out.printf("router/HAProxy throughput with h2load %.2f%n", routed[5] / peer[5]);
			}
		}
	}

	/** A router identity's certificate and key as one PEM file (mode 600), for HAProxy's {@code crt}. */
	private static Path clientPem(Path state, String authTarget, URI tokenUri, String secret, PlatformTrust trust)
			throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		KeyPair key = generator.generateKeyPair();
		byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=router"), key.getPublic())
			.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
			.getEncoded();
		TokenSource tokens = new TokenSource(List.of(tokenUri), "router", secret, Clock.systemUTC());
		IssuedCertificate issued;
		try (RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(authTarget), tokens, trust, 5000)) {
			issued = issuer.issue(SpiffeId.of(TRUST_DOMAIN, "router", "bench-haproxy"), csr);
		}
		Path pem = state.resolve("haproxy-client.pem");
		Files.deleteIfExists(pem);
		Files.createFile(pem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(pem, Pem.toPem(issued.chain()) + "-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getPrivate().getEncoded())
				+ "\n-----END PRIVATE KEY-----\n");
		return pem;
	}

	private static PlatformIdentity identity(String authTarget, URI tokenUri, String clientId, String secret,
			String instance, PlatformTrust trust, List<AutoCloseable> closing) {
		TokenSource tokens = new TokenSource(List.of(tokenUri), clientId, secret, Clock.systemUTC());
		RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(authTarget), tokens, trust, 5000);
		closing.add(issuer);
		PlatformIdentity identity = new PlatformIdentity(SpiffeId.of(TRUST_DOMAIN, clientId, instance), issuer, trust,
				0.66, Clock.systemUTC());
		// renewed like a platform process's: the bench's certificates live as short as the platform's
		ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
		closing.add(renewals::shutdownNow);
		closing.add(identity);
		identity.start(renewals, Duration.ofSeconds(30));
		return identity;
	}

	private static String awaitServer(String target, ChannelCredentials credentials, Metadata headers)
			throws InterruptedException {
		ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).build();
		try {
			long deadline = System.nanoTime() + START.toNanos();
			while (true) {
				try {
					return ComputeGrpc.newBlockingStub(channel)
						.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
						.withDeadlineAfter(5, TimeUnit.SECONDS)
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
		finally {
			channel.shutdownNow();
		}
	}

	private static UnaryResult load(Target target, int streams, MethodDescriptor<byte[], byte[]> method,
			byte[] request, Metadata headers, Phases phases) throws InterruptedException {
		List<ManagedChannel> connections = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			connections.add(Grpc.newChannelBuilder(target.address(), target.credentials()).build());
		}
		try {
			return ClosedLoop.unary(connections, streams, method, request, headers, phases, Window.NONE);
		}
		finally {
			connections.forEach(ManagedChannel::shutdownNow);
		}
	}

	private static UnaryResult loadOne(Target target, MethodDescriptor<byte[], byte[]> method, byte[] request,
			Metadata headers) throws InterruptedException {
		ManagedChannel connection = Grpc.newChannelBuilder(target.address(), target.credentials()).build();
		try {
			return ClosedLoop.unary(List.of(connection), 1, method, request, headers, LATENCY, Window.NONE);
		}
		finally {
			connection.shutdownNow();
		}
	}

	private static PlatformProcess start(List<PlatformProcess> processes, PlatformProcess process) {
		processes.add(process);
		return process;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Where a load goes, how its connections are secured, what to do before each load, and the processes of the hop
	 * in between (none for direct), whose CPU is counted.
	 */
	private record Target(String address, ChannelCredentials credentials, Runnable prepare,
			Supplier<List<Long>> hop) {

	}

}
