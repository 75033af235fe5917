package dev.switchboard.e2e;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.CreateClientResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.RevokeTokenRequest;
import dev.switchboard.auth.v1.SetClientEnabledRequest;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PlatformSecrets;
import dev.switchboard.bench.platform.WiredPlatform;
import dev.switchboard.bench.platform.PresentedCertificate;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.ListServersRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Security end to end: auth, registry, one compute replica and a router as real processes, every check enforced.
 * Each refusal gets the right status and leaves no trace in the registry.
 */
class SecurityPlatformIT {

	private static final Duration START = Duration.ofSeconds(120);

	private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(20);

	private static final Duration CERTIFICATE_LIFETIME = Duration.ofSeconds(15);

	private static final List<PlatformProcess> processes = new ArrayList<>();

	@TempDir
	static Path state;

	private static WiredPlatform platform;

	private static ManagedChannel router;

	private static ManagedChannel registry;

	private static ManagedChannel auth;

	private static Map<String, String> credentials;

	private static PlatformSecrets secrets;

	private static Identities identities;

	private static String registryTarget;

	private static String authTarget;

	private static ManagedChannel routerToAuth;

	private static final List<ManagedChannel> channels = new ArrayList<>();

	@BeforeAll
	static void startPlatform() throws Exception {
		int routerGrpc = PlatformProcess.freePort();
		// one client per group, every hop mutual TLS with certificates from auth's CA, as the launcher wires them
		platform = new WiredPlatform(state, 1);
		secrets = platform.secrets();
		PlatformProcess authProcess = start(platform.startAuth("security-auth", PlatformProcess.QUICK_START_JVM,
				// short-lived tokens, so one can be seen to expire (the platform's own renew theirs before);
				// short-lived certificates, so every process renews its own several times while the suite runs
				List.of("--switchboard.auth.token-lifetime=" + TOKEN_LIFETIME.toSeconds() + "s",
						"--switchboard.auth.ca.certificate-lifetime=" + CERTIFICATE_LIFETIME.toSeconds() + "s"),
				Map.of()));
		secrets.awaitTrustBundle(authProcess, START);
		start(platform.startRegistry("security-registry", 1, PlatformProcess.QUICK_START_JVM, List.of(), Map.of()));
		start(platform.start("security-compute", PlatformService.COMPUTE, "compute-1", PlatformProcess.QUICK_START_JVM,
				List.of("--spring.grpc.server.port=0")));
		start(platform.start("security-router", PlatformService.ROUTER, "router-1", PlatformProcess.QUICK_START_JVM,
				List.of("--spring.grpc.server.port=" + routerGrpc)));
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		identities = new Identities(secrets.trustBundle(), platform.authAddress(), tokenUri());
		registryTarget = "127.0.0.1:" + platform.registryPort(1);
		authTarget = platform.authAddress();
		router = ManagedChannelBuilder.forAddress("127.0.0.1", routerGrpc).usePlaintext().build();
		// registry and auth serve TLS; operators' tools without a certificate still reach them with a token
		registry = identities.anonymous(registryTarget, "registry");
		auth = identities.anonymous(authTarget, "auth");
		String demo = token("SWITCHBOARD_DEMO");
		// routable once compute registered with its own token and the router saw it
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.untilAsserted(() -> compute(demo).listServers(ListServersRequest.getDefaultInstance()));
		// and every platform process registered itself with its own token
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
			for (String group : List.of("compute", "router", "auth")) {
				assertThat(registryStub(demo).getGroup(GetGroupRequest.newBuilder().setName(group).build())
					.getInstancesCount()).isEqualTo(1);
			}
		});
	}

	@AfterAll
	static void stopPlatform() throws Exception {
		for (ManagedChannel channel : channels) {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		for (ManagedChannel channel : new ManagedChannel[] { router, registry, auth }) {
			if (channel != null) {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
		processes.forEach(PlatformProcess::close);
	}

	@Test
	void whenAComponentsCredentialsRegisterIntoTheAuthGroupThenRefusedAndNothingRegistered() throws Exception {
		// compute's own client and certificate, as an attacker holding them would use them
		PlatformIdentity compute = identities.identity("compute", "compute-evil", "compute", secrets.secret("compute"));
		String computeToken = token("compute", secrets.secret("compute"));
		ManagedChannel asCompute = channel(Identities.as(compute, registryTarget, "registry"));
		assertStatus(() -> withToken(RegistryGrpc.newBlockingStub(asCompute), computeToken)
			.register(fakeAuthReplica("auth-evil")), Status.Code.PERMISSION_DENIED);
		// a client holding every register grant gets no certificate of a reserved group, and its compute certificate
		// does not let it register there either
		CreateClientResponse wildcard = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("register-everything")
			.addGrants("register:*")
			.build());
		assertThatThrownBy(() -> identities.identity("auth", "auth-evil", "register-everything",
				wildcard.getClientSecret()))
			.hasMessageContaining("PERMISSION_DENIED");
		PlatformIdentity wide = identities.identity("compute", "compute-wide", "register-everything",
				wildcard.getClientSecret());
		String wideToken = token("register-everything", wildcard.getClientSecret());
		ManagedChannel asWide = channel(Identities.as(wide, registryTarget, "registry"));
		assertStatus(() -> withToken(RegistryGrpc.newBlockingStub(asWide), wideToken)
			.register(fakeAuthReplica("auth-evil")), Status.Code.PERMISSION_DENIED);
		// nor does its token alone (register:* does not reach auth)
		assertStatus(() -> registryStub(wideToken).register(fakeAuthReplica("auth-evil")),
				Status.Code.PERMISSION_DENIED);
		// and a token for its own group is not enough without that group's certificate
		CreateClientResponse certificateLess = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("certificate-less")
			.addGrants("register:certless")
			.build());
		String certificateLessToken = token("certificate-less", certificateLess.getClientSecret());
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> registryStub(certificateLessToken).register(RegisterRequest.newBuilder()
				.setGroup("certless")
				.setInstanceId("certless-1")
				.setHost("127.0.0.1")
				.setPort(1)
				.addServices("test.v1.CertLess")
				.build()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
				assertThat(ex.getStatus().getDescription()).contains("needs a platform certificate");
			});
		assertThat(registryStub(token("SWITCHBOARD_DEMO")).getGroup(GetGroupRequest.newBuilder().setName("auth").build())
			.getInstancesList()).extracting(Instance::getInstanceId).containsExactly("auth-1");
	}

	@Test
	void whenAComponentPortIsCalledInPlaintextOrWithAForeignCertificateThenRefused() throws Exception {
		String target = computeTarget();
		ManagedChannel plaintext = channel(ManagedChannelBuilder.forTarget(target).usePlaintext().build());
		assertStatus(() -> ComputeGrpc.newBlockingStub(plaintext)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.createServer(server("plaintext")), Status.Code.UNAVAILABLE);
		ManagedChannel foreign = channel(identities.foreign(target));
		assertStatus(() -> ComputeGrpc.newBlockingStub(foreign)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.createServer(server("foreign")), Status.Code.UNAVAILABLE);
		ManagedChannel anonymous = channel(identities.anonymous(target, "compute"));
		assertStatus(() -> ComputeGrpc.newBlockingStub(anonymous)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.createServer(server("anonymous")), Status.Code.UNAVAILABLE);
		assertThat(compute(token("SWITCHBOARD_DEMO")).listServers(ListServersRequest.getDefaultInstance())
			.getServersList()).extracting("name").doesNotContain("plaintext", "foreign", "anonymous");
	}

	@Test
	void whenAnotherPlatformIdentityCallsAComponentDirectlyThenPermissionDeniedEvenWithAPrincipalHeader()
			throws Exception {
		CreateClientResponse monitoring = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("monitoring")
			.addGrants("register:monitoring")
			.build());
		PlatformIdentity identity = identities.identity("monitoring", "monitoring-1", "monitoring",
				monitoring.getClientSecret());
		ManagedChannel direct = channel(Identities.as(identity, computeTarget(), "compute"));
		Metadata forged = new Metadata();
		forged.put(Metadata.Key.of("x-switchboard-principal", Metadata.ASCII_STRING_MARSHALLER), "admin");
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> ComputeGrpc.newBlockingStub(direct)
				.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forged))
				.withDeadlineAfter(5, TimeUnit.SECONDS)
				.createServer(server("direct")))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
				assertThat(ex.getStatus().getDescription()).contains("group 'monitoring' may not call");
			});
		// health stays open to every platform identity
		assertThat(HealthGrpc.newBlockingStub(direct)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.check(HealthCheckRequest.getDefaultInstance())
			.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
	}

	@Test
	void whenCertificatesAreRenewedWhileCallsFlowThenNoCallFailsAndTheNewOnesAreInUse() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		String target = computeTarget();
		BigInteger before = presentedSerial(target);
		int calls = 0;
		long deadline = System.nanoTime() + CERTIFICATE_LIFETIME.toNanos();
		BigInteger after = before;
		// at least one whole certificate lifetime: compute, the router and auth each renew at least once meanwhile
		while (System.nanoTime() < deadline || after.equals(before)) {
			compute(demo).listServers(ListServersRequest.getDefaultInstance());
			calls++;
			if (calls % 50 == 0) {
				after = presentedSerial(target);
			}
			assertThat(System.nanoTime()).as("compute renewed its certificate")
				.isLessThan(deadline + CERTIFICATE_LIFETIME.toNanos());
		}
		assertThat(after).isNotEqualTo(before);
		assertThat(calls).isGreaterThan(50);
	}

	@Test
	void whenAClientIsDisabledThenItCannotRenewItsCertificate() throws Exception {
		CreateClientResponse client = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("renewer")
			.addGrants("register:renewer")
			.build());
		PlatformIdentity identity = identities.identity("renewer", "renewer-1", "renewer", client.getClientSecret());
		BigInteger first = identity.certificate().getSerialNumber();
		assertThat(identity.renew().getSerialNumber()).isNotEqualTo(first);
		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("renewer").setEnabled(false).build());
		BigInteger held = identity.certificate().getSerialNumber();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThatThrownBy(identity::renew).hasMessageContaining("UNAUTHENTICATED"));
		assertThat(identity.certificate().getSerialNumber()).isEqualTo(held);
	}

	@Test
	void whenTheCaKeyIsStoredThenTheDatabaseFileHoldsNoPrivateKeyInClear() throws Exception {
		byte[] database = Files.readAllBytes(state.resolve("auth.mv.db"));
		String text = new String(database, StandardCharsets.ISO_8859_1);
		assertThat(text).doesNotContain("PRIVATE KEY");
		// the DER of a PKCS#8 P-256 key (version 0, ecPublicKey, prime256v1) and of an RFC 5915 EC key
		assertThat(indexOf(database, hex("020100301306072a8648ce3d020106082a8648ce3d030107"))).isEqualTo(-1);
		assertThat(indexOf(database, hex("30770201010420"))).isEqualTo(-1);
		// while the CA that key belongs to is in use
		assertThat(identities.trust().certificates()).isNotEmpty();
	}

	@Test
	void whenPlatformProcessesRunThenNoSecretIsOnTheirCommandLines() {
		for (PlatformProcess process : processes) {
			String commandLine = String.join(" ", ProcessHandle.of(process.pid())
				.orElseThrow()
				.info()
				.arguments()
				.orElse(new String[0]));
			assertThat(commandLine).as(process.name()).contains("-jar").doesNotContain(PlatformProcess.ADMIN_PASSWORD);
			for (String group : PlatformSecrets.GROUPS) {
				assertThat(commandLine).as(process.name()).doesNotContain(secrets.secret(group));
			}
		}
	}

	/** A channel to auth as a router identity, the way a router asks for decisions. */
	private static ManagedChannel asRouter() {
		if (routerToAuth == null) {
			routerToAuth = channel(Identities.as(identities.identity("router", "router-asking", "router",
					secrets.secret("router")), authTarget, "auth"));
		}
		return routerToAuth;
	}

	private static RegisterRequest fakeAuthReplica(String instanceId) {
		return RegisterRequest.newBuilder()
			.setGroup("auth")
			.setInstanceId(instanceId)
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices("switchboard.auth.v1.Auth")
			.setStatus(InstanceStatus.UP)
			.build();
	}

	private static CreateServerRequest server(String name) {
		return CreateServerRequest.newBuilder().setName(name).setFlavor("m1.small").setImage("debian-12").build();
	}

	/** Where compute-1 serves, as registered. */
	private static String computeTarget() throws Exception {
		Instance compute = registryStub(token("SWITCHBOARD_DEMO"))
			.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstances(0);
		return compute.getHost() + ":" + compute.getPort();
	}

	/** The serial of the certificate a server presents to a new connection now. */
	private static BigInteger presentedSerial(String target) {
		return PresentedCertificate.of(target, identities.trust().trustManager(Set.of())).getSerialNumber();
	}

	private static byte[] hex(String hex) {
		return HexFormat.of().parseHex(hex);
	}

	private static int indexOf(byte[] data, byte[] pattern) {
		outer: for (int i = 0; i <= data.length - pattern.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (data[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static ManagedChannel channel(ManagedChannel channel) {
		channels.add(channel);
		return channel;
	}

	@Test
	void whenGrantedThenCallGoesThroughAndComponentsRegisteredWithTheirOwnTokens() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		assertThat(compute(demo).createServer(CreateServerRequest.newBuilder()
			.setName("allowed")
			.setFlavor("m1.small")
			.setImage("debian-12")
			.build()).getServedBy()).isEqualTo("compute-1");
		List<String> groups = new ArrayList<>();
		for (String group : List.of("compute", "router", "auth")) {
			registryStub(demo).getGroup(GetGroupRequest.newBuilder().setName(group).build());
			groups.add(group);
		}
		assertThat(groups).containsExactly("compute", "router", "auth");
	}

	@Test
	void whenNoTokenThenUnauthenticated() {
		assertStatus(() -> ComputeGrpc.newBlockingStub(router).listServers(ListServersRequest.getDefaultInstance()),
				Status.Code.UNAUTHENTICATED);
		assertStatus(() -> RegistryGrpc.newBlockingStub(registry).getGroup(GetGroupRequest.newBuilder().setName("compute").build()),
				Status.Code.UNAUTHENTICATED);
	}

	@Test
	void whenSignatureForgedOrKeyIdUnknownThenUnauthenticated() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		String[] parts = demo.split("\\.");
		String forged = parts[0] + "." + parts[1] + "."
				+ Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[256]);
		assertStatus(() -> compute(forged).listServers(ListServersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
		String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8)
			.replaceAll("\"kid\"\\s*:\\s*\"[^\"]*\"", "\"kid\":\"no-such-key\"");
		String wrongKid = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8))
				+ "." + parts[1] + "." + parts[2];
		assertStatus(() -> compute(wrongKid).listServers(ListServersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
		assertStatus(() -> compute("not-a-jwt").listServers(ListServersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
	}

	@Test
	void whenTokenExpiredThenUnauthenticated() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		compute(demo).listServers(ListServersRequest.getDefaultInstance());
		Thread.sleep(TOKEN_LIFETIME.plusSeconds(2).toMillis());
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> compute(demo).listServers(ListServersRequest.getDefaultInstance()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
				assertThat(ex.getStatus().getDescription()).contains("expired");
			});
		// while the platform's own processes renewed theirs and stayed registered
		assertThat(registryStub(token("SWITCHBOARD_DEMO")).getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstancesCount()).isEqualTo(1);
	}

	@Test
	void whenTokenOversizedThenRefusedWithAReason() throws Exception {
		// asked as a router would ask
		AuthorizeResponse answer = AuthGrpc.newBlockingStub(asRouter())
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.authorize(AuthorizeRequest.newBuilder().setToken("x".repeat(9000)).setAction("discover").build());
		assertThat(answer.getDecision()).isEqualTo(Decision.UNAUTHENTICATED);
		assertThat(answer.getReason()).contains("larger than 8 KiB");
		assertStatus(() -> compute("e".repeat(6000)).listServers(ListServersRequest.getDefaultInstance()),
				Status.Code.UNAUTHENTICATED);
	}

	@Test
	void whenAnyoneButARouterOrRegistryAsksForDecisionsThenRefusedWithoutListingGrants() throws Exception {
		AuthorizeRequest question = AuthorizeRequest.newBuilder()
			.setToken(token("SWITCHBOARD_DEMO"))
			.setAction("admin")
			.build();
		assertStatus(() -> AuthGrpc.newBlockingStub(auth).withDeadlineAfter(5, TimeUnit.SECONDS).authorize(question),
				Status.Code.UNAUTHENTICATED);
		PlatformIdentity compute = identities.identity("compute", "compute-asking", "compute",
				secrets.secret("compute"));
		ManagedChannel asCompute = channel(Identities.as(compute, authTarget, "auth"));
		assertStatus(() -> AuthGrpc.newBlockingStub(asCompute).withDeadlineAfter(5, TimeUnit.SECONDS).authorize(question),
				Status.Code.PERMISSION_DENIED);
		assertStatus(() -> AuthGrpc.newBlockingStub(asCompute)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.watchRevocations(WatchRevocationsRequest.getDefaultInstance())
			.hasNext(), Status.Code.PERMISSION_DENIED);
		// a router is answered, and a refusal does not list what the client may do
		AuthorizeResponse refused = AuthGrpc.newBlockingStub(asRouter())
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.authorize(question);
		assertThat(refused.getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(refused.getGrantsList()).isEmpty();
	}

	@Test
	void whenTokenRevokedMidStreamThenTheHeartbeatStreamEndsUnauthenticated() throws Exception {
		CreateClientResponse client = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("mid-stream")
			.addGrants("register:midstream")
			.build());
		String token = token("mid-stream", client.getClientSecret());
		ManagedChannel asMidstream = channel(Identities.as(identities.identity("midstream", "midstream-1",
				"mid-stream", client.getClientSecret()), registryTarget, "registry"));
		withToken(RegistryGrpc.newBlockingStub(asMidstream), token).withDeadlineAfter(5, TimeUnit.SECONDS)
			.register(RegisterRequest.newBuilder()
			.setGroup("midstream")
			.setInstanceId("midstream-1")
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices("test.v1.MidStream")
			.setStatus(InstanceStatus.UP)
			.build());
		LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
		StreamObserver<HeartbeatRequest> beats = withToken(RegistryGrpc.newStub(asMidstream), token)
			.heartbeat(new StreamObserver<HeartbeatResponse>() {
				@Override
				public void onNext(HeartbeatResponse value) {
					answers.add(value);
				}

				@Override
				public void onError(Throwable t) {
					answers.add(Status.fromThrowable(t));
				}

				@Override
				public void onCompleted() {
					answers.add(Status.OK);
				}
			});
		HeartbeatRequest beat = HeartbeatRequest.newBuilder()
			.setGroup("midstream")
			.setInstanceId("midstream-1")
			.setStatus(InstanceStatus.UP)
			.build();
		beats.onNext(beat);
		assertThat(answers.poll(5, TimeUnit.SECONDS)).isInstanceOf(HeartbeatResponse.class);
		admin().revokeToken(RevokeTokenRequest.newBuilder().setToken(token).build());
		Object ended = null;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!(ended instanceof Status) && System.nanoTime() < deadline) {
			beats.onNext(beat);
			ended = answers.poll(200, TimeUnit.MILLISECONDS);
		}
		assertThat(ended).isInstanceOf(Status.class);
		assertThat(((Status) ended).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
	}

	@Test
	void whenTheRoutersReflectionIsAskedThenATokenAllowedToDiscoverIsNeededButNotForHealth()
			throws Exception {
		assertThat(listServices(null).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
		CreateClientResponse caller = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("caller-only")
			.addGrants("call:compute/*")
			.build());
		String callerOnly = token("caller-only", caller.getClientSecret());
		assertThat(listServices(callerOnly).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		String demo = token("SWITCHBOARD_DEMO");
		List<String> services = new ArrayList<>();
		assertThat(listServices(demo, services).getCode()).isEqualTo(Status.Code.OK);
		assertThat(services).contains(ComputeGrpc.SERVICE_NAME);
		assertThat(HealthGrpc.newBlockingStub(router)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.check(HealthCheckRequest.getDefaultInstance())
			.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
	}

	@Test
	void whenTokenForAnotherGroupThenPermissionDenied() throws Exception {
		CreateClientResponse volumeOnly = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("volume-only")
			.addGrants("call:volume/*")
			.build());
		String token = token("volume-only", volumeOnly.getClientSecret());
		assertStatus(() -> compute(token).listServers(ListServersRequest.getDefaultInstance()),
				Status.Code.PERMISSION_DENIED);
	}

	@Test
	void whenRegisteringWithoutTheGroupsGrantThenPermissionDeniedAndNothingRegistered() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		assertStatus(() -> registryStub(demo).register(RegisterRequest.newBuilder()
			.setGroup("compute")
			.setInstanceId("intruder-1")
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices("switchboard.sample.compute.v1.Compute")
			.build()), Status.Code.PERMISSION_DENIED);
		List<Instance> instances = registryStub(demo).getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstancesList();
		assertThat(instances).extracting(Instance::getInstanceId).doesNotContain("intruder-1");
	}

	@Test
	void whenAnotherClientRegistersSomeoneElsesInstanceIdThenPermissionDeniedAndTheInstanceIsUntouched()
			throws Exception {
		CreateClientResponse other = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("other-compute-owner")
			.addGrants("register:compute")
			.addGrants("discover")
			.build());
		String token = token("other-compute-owner", other.getClientSecret());
		// with a compute certificate of its own: the instance id, not the group, is what it may not take
		ManagedChannel asOther = channel(Identities.as(identities.identity("compute", "other-compute-1",
				"other-compute-owner", other.getClientSecret()), registryTarget, "registry"));
		Instance before = registryStub(token).getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstances(0);
		assertStatus(() -> withToken(RegistryGrpc.newBlockingStub(asOther), token).withDeadlineAfter(5,
				TimeUnit.SECONDS).register(RegisterRequest.newBuilder()
			.setGroup("compute")
			.setInstanceId(before.getInstanceId())
			.setHost("10.6.6.6")
			.setPort(6666)
			.addServices("switchboard.sample.compute.v1.Compute")
			.build()), Status.Code.PERMISSION_DENIED);
		Instance after = registryStub(token).getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstances(0);
		assertThat(after.getHost()).isEqualTo(before.getHost());
		assertThat(after.getPort()).isEqualTo(before.getPort());
	}

	@Test
	void whenTokenRevokedThenRefusedOnTheRouterWithinASecond() throws Exception {
		CreateClientResponse client = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("revoked-token")
			.addGrants("call:compute/*")
			.build());
		String token = token("revoked-token", client.getClientSecret());
		compute(token).listServers(ListServersRequest.getDefaultInstance()); // allowed, and now cached
		long revokedAt = System.nanoTime();
		admin().revokeToken(RevokeTokenRequest.newBuilder().setToken(token).build());
		await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertStatus(
				() -> compute(token).listServers(ListServersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED));
		assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(2));
	}

	@Test
	void whenClientDisabledThenItsTokensAreRefused() throws Exception {
		CreateClientResponse client = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("soon-disabled")
			.addGrants("call:compute/*")
			.build());
		String token = token("soon-disabled", client.getClientSecret());
		compute(token).listServers(ListServersRequest.getDefaultInstance());
		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("soon-disabled").setEnabled(false).build());
		await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertStatus(
				() -> compute(token).listServers(ListServersRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED));
		assertThat(tokenResponse("soon-disabled", client.getClientSecret()).statusCode()).isNotEqualTo(200);
	}

	@Test
	void whenSecretBruteForcedThenTooManyRequestsWithRetryAfterEvenForTheRightSecret() throws Exception {
		CreateClientResponse target = admin().createClient(
				CreateClientRequest.newBuilder().setClientId("brute-forced").addGrants("call:compute/*").build());
		HttpResponse<String> last = null;
		int attempts = 0;
		while (attempts < 30 && (last == null || last.statusCode() != 429)) {
			last = tokenResponse("brute-forced", "guess-" + attempts++);
		}
		assertThat(last.statusCode()).isEqualTo(429);
		assertThat(last.headers().firstValue("Retry-After")).isPresent();
		assertThat(attempts).isLessThanOrEqualTo(10);
		assertThat(tokenResponse("brute-forced", target.getClientSecret()).statusCode()).isEqualTo(429);
	}

	@Test
	void whenAdminCallWithoutAdminGrantThenPermissionDenied() throws Exception {
		String demo = token("SWITCHBOARD_DEMO");
		assertStatus(() -> withToken(AuthGrpc.newBlockingStub(auth), demo)
			.createClient(CreateClientRequest.newBuilder().setClientId("sneaky").build()), Status.Code.PERMISSION_DENIED);
	}

	private static ComputeGrpc.ComputeBlockingStub compute(String token) {
		return withToken(ComputeGrpc.newBlockingStub(router), token).withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static Status listServices(String token) throws InterruptedException {
		return listServices(token, new ArrayList<>());
	}

	/** Asks the router's reflection to list services, with {@code token} when not null; returns how it ended. */
	private static Status listServices(String token, List<String> services) throws InterruptedException {
		ServerReflectionGrpc.ServerReflectionStub stub = ServerReflectionGrpc.newStub(router)
			.withDeadlineAfter(5, TimeUnit.SECONDS);
		LinkedBlockingQueue<Status> ended = new LinkedBlockingQueue<>();
		StreamObserver<ServerReflectionRequest> requests = ((token != null) ? withToken(stub, token) : stub)
			.serverReflectionInfo(new StreamObserver<>() {
				@Override
				public void onNext(ServerReflectionResponse response) {
					response.getListServicesResponse()
						.getServiceList()
						.forEach((service) -> services.add(service.getName()));
				}

				@Override
				public void onError(Throwable error) {
					ended.add(Status.fromThrowable(error));
				}

				@Override
				public void onCompleted() {
					ended.add(Status.OK);
				}
			});
		requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
		requests.onCompleted();
		Status status = ended.poll(10, TimeUnit.SECONDS);
		assertThat(status).as("reflection stream ended").isNotNull();
		return status;
	}

	private static RegistryGrpc.RegistryBlockingStub registryStub(String token) {
		return withToken(RegistryGrpc.newBlockingStub(registry), token).withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static AuthGrpc.AuthBlockingStub admin() throws Exception {
		return withToken(AuthGrpc.newBlockingStub(auth), token("SWITCHBOARD_ADMIN")).withDeadlineAfter(5,
				TimeUnit.SECONDS);
	}

	private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
		return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)));
	}

	private static String token(String prefix) throws Exception {
		return token(credentials.get(prefix + "_CLIENT_ID"), credentials.get(prefix + "_CLIENT_SECRET"));
	}

	private static String token(String clientId, String secret) throws Exception {
		return PlatformClients.token(tokenUri(), clientId, secret);
	}

	private static HttpResponse<String> tokenResponse(String clientId, String secret) throws Exception {
		return PlatformClients.tokenResponse(tokenUri(), clientId, secret);
	}

	private static URI tokenUri() {
		return platform.tokenUri();
	}

	private static void assertStatus(Runnable call, Status.Code code) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::run)
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString()).isEqualTo(code));
	}

	private static PlatformProcess start(PlatformProcess process) {
		processes.add(process);
		return process;
	}

}
