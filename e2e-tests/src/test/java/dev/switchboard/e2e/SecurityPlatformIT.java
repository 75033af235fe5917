package dev.switchboard.e2e;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
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
import static org.awaitility.Awaitility.await;

/**
 * Security end to end: auth, registry, one compute replica and a router as real processes, every check enforced.
 * Each refusal gets the right status and leaves no trace in the registry.
 */
class SecurityPlatformIT {

	private static final Duration START = Duration.ofSeconds(120);

	private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(20);

	private static final List<PlatformProcess> processes = new ArrayList<>();

	@TempDir
	static Path state;

	private static int authHttp;

	private static ManagedChannel router;

	private static ManagedChannel registry;

	private static ManagedChannel auth;

	private static Map<String, String> credentials;

	@BeforeAll
	static void startPlatform() throws Exception {
		int authGrpc = PlatformProcess.freePort();
		int registryGrpc = PlatformProcess.freePort();
		int routerGrpc = PlatformProcess.freePort();
		String platformSecret = "platform-" + Long.toHexString(System.nanoTime());
		List<String> component = List.of("--switchboard.component.host=127.0.0.1",
				"--switchboard.component.registry.addresses=127.0.0.1:" + registryGrpc,
				"--switchboard.component.credentials.client-id=platform",
				"--switchboard.component.credentials.client-secret=" + platformSecret);
		List<String> authArgs = new ArrayList<>(component);
		authArgs.addAll(List.of("--spring.grpc.server.port=" + authGrpc, "--switchboard.auth.data-dir=" + state,
				// short-lived tokens, so one can be seen to expire (the platform's own renew theirs before)
				"--switchboard.auth.token-lifetime=" + TOKEN_LIFETIME.toSeconds() + "s",
				"--switchboard.auth.bootstrap.credentials-file=" + state.resolve("credentials.env"),
				"--switchboard.auth.bootstrap.platform-client-id=platform",
				"--switchboard.auth.bootstrap.platform-client-secret=" + platformSecret,
				"--switchboard.component.instance-id=auth-1"));
		PlatformProcess authProcess = start(PlatformProcess.start("security-auth", "auth-service", "auth-service",
				authArgs));
		// the token endpoint is on the HTTP port PlatformProcess picked
		authHttp = authProcess.httpPort();
		List<String> withTokens = new ArrayList<>(component);
		withTokens.add("--switchboard.component.credentials.token-uri=http://127.0.0.1:" + authHttp + "/oauth2/token");
		start(PlatformProcess.start("security-registry", "registry-service", "registry-service",
				List.of("--spring.grpc.server.port=" + registryGrpc,
						"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
						"--switchboard.registry.auth.fallback-address=127.0.0.1:" + authGrpc)));
		List<String> computeArgs = new ArrayList<>(withTokens);
		computeArgs.addAll(List.of("--spring.grpc.server.port=0", "--switchboard.component.instance-id=compute-1"));
		start(PlatformProcess.start("security-compute", "sample-components/compute", "sample-compute", computeArgs));
		List<String> routerArgs = new ArrayList<>(withTokens);
		routerArgs.addAll(List.of("--spring.grpc.server.port=" + routerGrpc,
				"--switchboard.component.instance-id=router-1",
				"--switchboard.router.auth.fallback-address=127.0.0.1:" + authGrpc));
		start(PlatformProcess.start("security-router", "router-service", "router-service", routerArgs));
		for (PlatformProcess process : processes) {
			process.awaitHealthy(START);
		}
		credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		router = ManagedChannelBuilder.forAddress("127.0.0.1", routerGrpc).usePlaintext().build();
		registry = ManagedChannelBuilder.forAddress("127.0.0.1", registryGrpc).usePlaintext().build();
		auth = ManagedChannelBuilder.forAddress("127.0.0.1", authGrpc).usePlaintext().build();
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
		for (ManagedChannel channel : new ManagedChannel[] { router, registry, auth }) {
			if (channel != null) {
				channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
		processes.forEach(PlatformProcess::close);
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
		AuthorizeResponse answer = AuthGrpc.newBlockingStub(auth)
			.authorize(AuthorizeRequest.newBuilder().setToken("x".repeat(9000)).setAction("discover").build());
		assertThat(answer.getDecision()).isEqualTo(Decision.UNAUTHENTICATED);
		assertThat(answer.getReason()).contains("larger than 8 KiB");
		assertStatus(() -> compute("e".repeat(6000)).listServers(ListServersRequest.getDefaultInstance()),
				Status.Code.UNAUTHENTICATED);
	}

	@Test
	void whenTokenRevokedMidStreamThenTheHeartbeatStreamEndsUnauthenticated() throws Exception {
		CreateClientResponse client = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("mid-stream")
			.addGrants("register:midstream")
			.build());
		String token = token("mid-stream", client.getClientSecret());
		registryStub(token).register(RegisterRequest.newBuilder()
			.setGroup("midstream")
			.setInstanceId("midstream-1")
			.setHost("127.0.0.1")
			.setPort(1)
			.addServices("test.v1.MidStream")
			.setStatus(InstanceStatus.UP)
			.build());
		LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
		StreamObserver<HeartbeatRequest> beats = withToken(RegistryGrpc.newStub(registry), token)
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
		Instance before = registryStub(token).getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstances(0);
		assertStatus(() -> registryStub(token).register(RegisterRequest.newBuilder()
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
		return URI.create("http://127.0.0.1:" + authHttp + "/oauth2/token");
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
