package dev.switchboard.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.common.identity.PlatformTrust;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.Server;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The high-availability topology of the compose stack, as local processes through the README's first command:
 * {@code ./switchboard up --ha} (two registries in one Hazelcast cluster, two auth replicas on one database, two
 * routers, sample replicas, the dashboard). Started once for the class on the launcher's fixed ports; the last test
 * kills one replica of each service and the platform keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaPlatformIT {

	private static final List<Integer> PORTS = List.of(9100, 9110, 9101, 9111, 9102, 9112, 8100, 8110, 8101, 8111,
			8102, 8112, 8103, 5701, 5702, 8201, 8202, 8301);

	/** The launcher's state: logs, pids, credentials; kept after the run for a look at the logs. */
	private static final Path state = Path.of("target", "ha-platform").toAbsolutePath();

	private static final List<ManagedChannel> channels = new ArrayList<>();

	private static Map<String, String> credentials;

	private static String adminPassword;

	private static String upOutput;

	@BeforeAll
	static void up() throws Exception {
		for (int port : PORTS) {
			try (ServerSocket socket = new ServerSocket()) {
				socket.bind(new InetSocketAddress("127.0.0.1", port));
			}
			catch (IOException ex) {
				throw new IllegalStateException("port " + port + " is taken; this suite runs './switchboard up --ha' on "
						+ "the launcher's own ports (stop a running platform with ./switchboard down)", ex);
			}
		}
		if (Files.exists(state)) {
			try (var old = Files.walk(state)) {
				old.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
		Files.createDirectories(state);
		upOutput = launcher(Duration.ofMinutes(5), "up", "--ha");
		credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		adminPassword = Files.readString(state.resolve("admin.password")).trim();
	}

	@AfterAll
	static void down() throws Exception {
		channels.forEach(ManagedChannel::shutdownNow);
		List<Long> pids = new ArrayList<>();
		try (var files = Files.list(state.resolve("pids"))) {
			for (Path file : files.toList()) {
				pids.add(Long.parseLong(Files.readString(file).trim()));
			}
		}
		launcher(Duration.ofMinutes(2), "down");
		for (long pid : pids) {
			assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid + " stopped")
				.isFalse();
		}
	}

	@Test
	@Order(1)
	void upStartsTwoReplicasOfRegistryAuthAndRouterAndSaysWhereTheyAre() {
		assertThat(upOutput).contains("127.0.0.1:9100, 127.0.0.1:9110")
			.contains("127.0.0.1:9101, 127.0.0.1:9111")
			.contains("127.0.0.1:9102, 127.0.0.1:9112")
			.contains("http://127.0.0.1:8103");
		for (String name : List.of("registry-1", "registry-2", "auth-1", "auth-2", "router-1", "router-2",
				"dashboard")) {
			assertThat(state.resolve("pids/" + name + ".pid")).as(name).isRegularFile();
		}
	}

	@Test
	@Order(2)
	void everyRouterForwardsAndBothRegistriesKnowEveryReplica() throws Exception {
		String token = demoToken(8102);
		for (int router : List.of(9100, 9110)) {
			Server server = compute(router, token).createServer(CreateServerRequest.newBuilder()
				.setName("ha-" + router)
				.setFlavor("m1.small")
				.setImage("debian-12")
				.build());
			assertThat(server.getServedBy()).startsWith("compute-");
		}
		for (int registry : List.of(9101, 9111)) {
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				List<Instance> routers = registry(registry, token)
					.getGroup(GetGroupRequest.newBuilder().setName("router").build())
					.getInstancesList();
				assertThat(routers).extracting(Instance::getInstanceId)
					.containsExactlyInAnyOrder("router-1", "router-2");
				List<Instance> auth = registry(registry, token)
					.getGroup(GetGroupRequest.newBuilder().setName("auth").build())
					.getInstancesList();
				assertThat(auth).extracting(Instance::getStatus).containsOnly(InstanceStatus.UP).hasSize(2);
			});
		}
	}

	@Test
	@Order(3)
	void everyMetricTheGrafanaDashboardQueriesIsExposed() throws Exception {
		String dashboard = Files.readString(PlatformProcess.root().resolve("deploy/grafana/dashboards/switchboard.json"));
		List<String> expressions = JsonPath.read(dashboard, "$.panels[*].targets[*].expr");
		Set<String> queried = new TreeSet<>();
		for (String expression : expressions) {
			Matcher metric = Pattern.compile("\\b(switchboard_[a-z_]+)").matcher(expression);
			while (metric.find()) {
				queried.add(metric.group(1));
			}
		}
		assertThat(queried).isNotEmpty();
		String exposed = scrape(8100) + scrape(8101) + scrape(8102);
		for (String metric : queried) {
			assertThat(exposed).as(metric + " exposed by a router, registry or auth replica").containsPattern(
					"(?m)^" + metric + "[{ ]");
		}
	}

	@Test
	@Order(4)
	void whenOneReplicaOfEachServiceDiesThenThePlatformKeepsServing() throws Exception {
		String tokenBefore = demoToken(8112);
		for (String name : List.of("registry-1", "auth-1", "router-1")) {
			long pid = Long.parseLong(Files.readString(state.resolve("pids/" + name + ".pid")).trim());
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		// the surviving router keeps forwarding with a token issued before, and with one the surviving auth issues now
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
			assertThat(compute(9110, tokenBefore).createServer(request("after-kill")).getServedBy())
				.startsWith("compute-");
			assertThat(compute(9110, demoToken(8112)).createServer(request("fresh-token")).getServedBy())
				.startsWith("compute-");
		});
		// the components moved their heartbeats to the surviving registry: still UP well past the lease TTL (3 s)
		Thread.sleep(5_000);
		List<Instance> compute = registry(9111, tokenBefore)
			.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
			.getInstancesList();
		assertThat(compute).extracting(Instance::getStatus).containsOnly(InstanceStatus.UP).hasSize(2);
		List<Instance> routers = registry(9111, tokenBefore)
			.getGroup(GetGroupRequest.newBuilder().setName("router").build())
			.getInstancesList();
		assertThat(routers).extracting(Instance::getInstanceId).doesNotContain("router-1");
	}

	private static CreateServerRequest request(String name) {
		return CreateServerRequest.newBuilder().setName(name).setFlavor("m1.small").setImage("debian-12").build();
	}

	private static String demoToken(int authHttp) throws Exception {
		return PlatformClients.token(URI.create("http://127.0.0.1:" + authHttp + "/oauth2/token"),
				credentials.get("SWITCHBOARD_DEMO_CLIENT_ID"), credentials.get("SWITCHBOARD_DEMO_CLIENT_SECRET"));
	}

	private static ComputeGrpc.ComputeBlockingStub compute(int port, String token) {
		return ComputeGrpc.newBlockingStub(channel(port))
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)))
			.withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static RegistryGrpc.RegistryBlockingStub registry(int port, String token) {
		return RegistryGrpc.newBlockingStub(registryChannel(port))
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)))
			.withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	private static ManagedChannel channel(int port) {
		ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
		channels.add(channel);
		return channel;
	}

	/** The registries serve TLS with their platform certificates: trust the CA the launcher's auth wrote. */
	private static ManagedChannel registryChannel(int port) {
		ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port,
				TlsChannelCredentials.newBuilder()
					.trustManager(PlatformTrust.fromFile("switchboard.local", state.resolve("ca.pem"))
						.trustManager(Set.of("registry")))
					.build())
			.build();
		channels.add(channel);
		return channel;
	}

	private static String scrape(int httpPort) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
				.header("Authorization", "Basic " + basic)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/** Runs the launcher with this suite's state folder and fewer sample replicas, and returns what it printed. */
	private static String launcher(Duration timeout, String... arguments) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(PlatformProcess.root().resolve("switchboard").toString());
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("SWITCHBOARD_STATE", state.toString());
		builder.environment().put("SWITCHBOARD_COMPUTE_REPLICAS", "2");
		builder.environment().put("SWITCHBOARD_VOLUME_REPLICAS", "1");
		Path output = Files.createTempFile(state, "launcher", ".out");
		builder.redirectOutput(output.toFile());
		Process process = builder.start();
		boolean exited = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
		String printed = Files.readString(output);
		if (!exited) {
			process.destroyForcibly();
		}
		assertThat(exited).as("./switchboard " + String.join(" ", arguments) + " finished:\n" + printed).isTrue();
		assertThat(process.exitValue()).as("./switchboard " + String.join(" ", arguments) + ":\n" + printed).isZero();
		return printed;
	}

}
