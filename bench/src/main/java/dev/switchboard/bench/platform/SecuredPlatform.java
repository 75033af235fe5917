package dev.switchboard.bench.platform;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.client.identity.RemoteCertificateIssuer;
import dev.switchboard.client.identity.SpiffeId;
import dev.switchboard.launcher.topology.PlatformService;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A platform as {@code ./switchboard up} runs it, for the benchmarks: auth (one client per group, the CA), a registry
 * with auth on, one compute replica and one or more routers, every hop mutual TLS with platform certificates, the
 * routers on {@code deploy/jvm/router.options}. State (secrets, trust bundle, auth's database) lives in a directory of
 * its own; everything is stopped by {@link #close()}. Not thread-safe.
 */
public final class SecuredPlatform implements AutoCloseable {

	/** The trust domain every identity here belongs to. */
	public static final String TRUST_DOMAIN = "switchboard.local";

	/** The compute replica's instance id. */
	public static final String REPLICA = "bench-compute";

	private final Path state;

	private final WiredPlatform platform;

	private final PlatformSecrets secrets;

	private final List<PlatformProcess> processes = new ArrayList<>();

	private final List<AutoCloseable> closing = new ArrayList<>();

	private final Map<String, PlatformProcess> routers = new LinkedHashMap<>();

	private final List<PlatformProcess> registries = new ArrayList<>();

	private final Map<String, Integer> routerPorts = new LinkedHashMap<>();

	private final int replicaGrpc = PlatformProcess.freePort();

	private PlatformProcess replica;

	private PlatformTrust trust;

	private SecuredPlatform(Path state, int registries) {
		this.state = state;
		this.platform = new WiredPlatform(state, registries);
		this.secrets = this.platform.secrets();
	}

	/**
	 * Starts auth, the registry, the compute replica and the named routers, and waits until all are healthy.
	 * @param prefix the processes' names start with it (their logs are {@code target/platform-logs/<name>.log})
	 * @param certificateLifetime how long the CA's certificates live
	 * @param replicaJvm the compute replica's JVM options
	 * @param routers each router's name and the arguments it gets besides the platform's (an empty list for a router
	 * as the launcher starts it)
	 * @param timeout how long each process may take to become healthy
	 */
	public static SecuredPlatform start(String prefix, Duration certificateLifetime, List<String> replicaJvm,
			Map<String, List<String>> routers, Duration timeout) throws Exception {
		SecuredPlatform platform = new SecuredPlatform(Files.createTempDirectory("switchboard-" + prefix), 1);
		try {
			platform.startAll(prefix, certificateLifetime, replicaJvm, routers, timeout);
			return platform;
		}
		catch (Exception | Error ex) {
			platform.close();
			throw ex;
		}
	}

	/**
	 * Starts auth and {@code replicas} registry replicas in one cluster, with auth on and mutual TLS, as
	 * {@code ./switchboard up --ha} runs them, and waits until all are healthy: the registry bench's platform.
	 * @param registryArguments arguments every replica gets besides the platform's
	 */
	public static SecuredPlatform startRegistries(String prefix, int replicas, List<String> registryArguments,
			Duration timeout) throws Exception {
		SecuredPlatform platform = new SecuredPlatform(Files.createTempDirectory("switchboard-" + prefix), replicas);
		try {
			platform.startAuth(prefix, Duration.ofHours(1), timeout);
			Map<String, String> cluster = Map.of("SWITCHBOARD_REGISTRY_CLUSTER_SECRET", "bench-" + UUID.randomUUID());
			for (int i = 1; i <= replicas; i++) {
				platform.registries.add(platform.started(platform.platform.startRegistry(prefix + "-registry-" + i, i,
						PlatformProcess.REGISTRY_JVM, registryArguments, cluster)));
			}
			for (PlatformProcess process : platform.processes) {
				process.awaitHealthy(timeout);
			}
			return platform;
		}
		catch (Exception | Error ex) {
			platform.close();
			throw ex;
		}
	}

	private void startAll(String prefix, Duration certificateLifetime, List<String> replicaJvm,
			Map<String, List<String>> routerArguments, Duration timeout) throws Exception {
		startAuth(prefix, certificateLifetime, timeout);
		this.registries.add(started(this.platform.startRegistry(prefix + "-registry", 1, PlatformProcess.REGISTRY_JVM,
				List.of(), Map.of())));
		this.replica = started(this.platform.start(prefix + "-compute", PlatformService.COMPUTE, REPLICA, replicaJvm,
				List.of("--spring.grpc.server.port=" + this.replicaGrpc)));
		for (Map.Entry<String, List<String>> router : routerArguments.entrySet()) {
			int port = PlatformProcess.freePort();
			List<String> routerArgs = new ArrayList<>(List.of("--spring.grpc.server.port=" + port));
			routerArgs.addAll(router.getValue());
			this.routers.put(router.getKey(), started(this.platform.start(prefix + "-" + router.getKey(),
					PlatformService.ROUTER, prefix + "-" + router.getKey(), PlatformProcess.ROUTER_JVM, routerArgs)));
			this.routerPorts.put(router.getKey(), port);
		}
		for (PlatformProcess process : this.processes) {
			process.awaitHealthy(timeout);
		}
	}

	/** Starts auth (the CA and every group's client) and waits until it serves tokens and its trust bundle. */
	private void startAuth(String prefix, Duration certificateLifetime, Duration timeout) throws Exception {
		PlatformProcess auth = started(this.platform.startAuth(prefix + "-auth", PlatformProcess.QUICK_START_JVM,
				List.of("--switchboard.auth.ca.certificate-lifetime=" + certificateLifetime.toSeconds() + "s"),
				Map.of()));
		this.secrets.awaitTrustBundle(auth, timeout);
		auth.awaitHealthy(timeout);
		this.trust = PlatformTrust.fromFile(TRUST_DOMAIN, this.secrets.trustBundle());
	}

	private PlatformProcess started(PlatformProcess process) {
		this.processes.add(process);
		return process;
	}

	/** The auth service's gRPC address (its CA). */
	public String authAddress() {
		return this.platform.authAddress();
	}

	/** The registry replicas, in start order. */
	public List<PlatformProcess> registries() {
		return List.copyOf(this.registries);
	}

	/** The registry replicas' gRPC ports (mutual TLS, auth on), in start order. */
	public List<Integer> registryPorts() {
		return this.platform.registryPorts();
	}

	/** The compute replica's gRPC address (mutual TLS; it takes calls from router identities). */
	public String replicaAddress() {
		return "127.0.0.1:" + this.replicaGrpc;
	}

	public int replicaPort() {
		return this.replicaGrpc;
	}

	public PlatformProcess replica() {
		return this.replica;
	}

	/** The router of this name, as started. */
	public PlatformProcess router(String name) {
		return this.routers.get(name);
	}

	/** The plaintext gRPC port of the router of this name. */
	public int routerPort(String name) {
		return this.routerPorts.get(name);
	}

	public URI tokenUri() {
		return this.platform.tokenUri();
	}

	public PlatformSecrets secrets() {
		return this.secrets;
	}

	public PlatformTrust trust() {
		return this.trust;
	}

	/** The directory of the platform's state, where the benches also put their own files. */
	public Path state() {
		return this.state;
	}

	/** A token of the bootstrap demo client, which may call compute and volume through a router. */
	public String demoToken() throws Exception {
		return bootstrapToken("DEMO");
	}

	/** A token of the bootstrap admin client, which may administer the registry and auth. */
	public String adminToken() throws Exception {
		return bootstrapToken("ADMIN");
	}

	/** A token of a group's client. */
	public String groupToken(String group) throws Exception {
		return PlatformClients.token(tokenUri(), group, this.secrets.secret(group));
	}

	private String bootstrapToken(String client) throws Exception {
		Map<String, String> credentials = PlatformClients.readEnvFile(this.state.resolve("credentials.env"));
		return PlatformClients.token(tokenUri(), credentials.get("SWITCHBOARD_" + client + "_CLIENT_ID"),
				credentials.get("SWITCHBOARD_" + client + "_CLIENT_SECRET"));
	}

	/**
	 * An identity of {@code group} (its client's secret from this platform) for {@code instance}, renewed like a
	 * platform process's until this platform closes.
	 */
	public PlatformIdentity identity(String group, String instance) {
		TokenSource tokens = new TokenSource(List.of(tokenUri()), group, this.secrets.secret(group),
				Clock.systemUTC());
		RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(authAddress()), tokens, this.trust, 5000);
		this.closing.add(issuer);
		PlatformIdentity identity = new PlatformIdentity(SpiffeId.of(TRUST_DOMAIN, group, instance), issuer,
				this.trust, 0.66, Clock.systemUTC());
		ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor();
		this.closing.add(renewals::shutdownNow);
		this.closing.add(identity);
		identity.start(renewals, Duration.ofSeconds(30));
		return identity;
	}

	/**
	 * A certificate of a {@code router} identity for {@code instance} and its key as one PEM file (mode 600) in the
	 * state directory, for a peer proxy's client certificate (HAProxy's {@code crt}).
	 */
	public Path routerCertificatePem(String instance) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		KeyPair key = generator.generateKeyPair();
		byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=router"), key.getPublic())
			.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
			.getEncoded();
		TokenSource tokens = new TokenSource(List.of(tokenUri()), "router", this.secrets.secret("router"),
				Clock.systemUTC());
		IssuedCertificate issued;
		try (RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(authAddress()), tokens, this.trust,
				5000)) {
			issued = issuer.issue(SpiffeId.of(TRUST_DOMAIN, "router", instance), csr);
		}
		Path pem = this.state.resolve(instance + "-client.pem");
		Files.deleteIfExists(pem);
		Files.createFile(pem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(pem, Pem.toPem(issued.chain()) + "-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getPrivate().getEncoded())
				+ "\n-----END PRIVATE KEY-----\n");
		return pem;
	}

	/** Stops every process started here (in reverse order) and what the identities here hold. */
	@Override
	public void close() {
		for (AutoCloseable resource : this.closing.reversed()) {
			try {
				resource.close();
			}
			catch (Exception ex) {
				System.err.println("could not close " + resource + ": " + ex);
			}
		}
		this.closing.clear();
		for (PlatformProcess process : this.processes.reversed()) {
			process.close();
		}
		this.processes.clear();
	}

}
