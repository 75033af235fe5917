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
import dev.switchboard.client.identity.PlatformTrust;
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
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The high-availability topology of the compose stack, as local processes through the README's first command:
 * {@code ./switchboard up --ha} (two registries in one Hazelcast cluster, two auth replicas on one database, two
 * routers, Java and Python sample replicas, the dashboard). Started once for the class on the launcher's fixed ports;
 * the last test kills one replica of each service and the platform keeps serving.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaPlatformIT {

	private static LaunchedPlatform platform;

	@BeforeAll
	static void up() throws Exception {
		platform = LaunchedPlatform.upHa("ha-platform", Map.of());
	}

	@AfterAll
	static void down() throws Exception {
		platform.close();
	}

	@Test
	@Order(1)
	void upStartsTwoReplicasOfRegistryAuthAndRouterAndSaysWhereTheyAre() {
		assertThat(platform.output()).contains("127.0.0.1:9100, 127.0.0.1:9110")
			.contains("127.0.0.1:9101, 127.0.0.1:9111")
			.contains("127.0.0.1:9102, 127.0.0.1:9112")
			.contains("http://127.0.0.1:8103");
		for (String name : List.of("registry-1", "registry-2", "auth-1", "auth-2", "router-1", "router-2",
				"dashboard")) {
			assertThat(platform.state().resolve("pids/" + name + ".pid")).as(name).isRegularFile();
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
	void upStartsTwoPythonNetworkReplicasThatComputeAndStatusKnow() throws Exception {
		if (PythonComponents.find().isEmpty()) {
			// the launcher said why in one line and went on without them
			assertThat(platform.output()).contains("network (Python sample): skipped, no ");
			PythonComponents.interpreter();
		}
		assertThat(platform.output()).contains("started network-1").contains("started network-2");
		String token = demoToken(8102);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(registry(9111, token)
			.getGroup(GetGroupRequest.newBuilder().setName("network").build())
			.getInstancesList()).extracting(Instance::getInstanceId, Instance::getStatus)
			.containsExactlyInAnyOrder(tuple("network-1", InstanceStatus.UP), tuple("network-2", InstanceStatus.UP)));
		// compute asks network for the port through the router the launcher gave it, network asks compute back
		Server server = compute(9110, token).createServer(request("ha-networks").toBuilder()
			.addNetworks("private")
			.build());
		assertThat(server.getPortIdsList()).hasSize(1);
		assertThat(platform.status()).contains("network-1: running").containsPattern("(?m)^network +network-2 .* UP ");
	}

	@Test
	@Order(4)
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
		String exposed = platform.scrape(8100) + platform.scrape(8101) + platform.scrape(8102);
		for (String metric : queried) {
			assertThat(exposed).as(metric + " exposed by a router, registry or auth replica").containsPattern(
					"(?m)^" + metric + "[{ ]");
		}
	}

	@Test
	@Order(5)
	void whenOneReplicaOfEachServiceDiesThenThePlatformKeepsServing() throws Exception {
		String tokenBefore = demoToken(8112);
		for (String name : List.of("registry-1", "auth-1", "router-1")) {
			platform.kill(name);
		}
		// the surviving router keeps forwarding with a token issued before, and with one the surviving auth issues now
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
			assertThat(compute(9110, tokenBefore).createServer(request("after-kill")).getServedBy())
				.startsWith("compute-");
			assertThat(compute(9110, demoToken(8112)).createServer(request("fresh-token")).getServedBy())
				.startsWith("compute-");
		});
		// the components moved their heartbeats to the surviving registry: still UP well past the survivors' grace
		// after registry-1's loss (two TTLs) and one more TTL
		await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			List<Instance> compute = registry(9111, tokenBefore)
				.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
				.getInstancesList();
			assertThat(compute).extracting(Instance::getStatus).containsOnly(InstanceStatus.UP).hasSize(2);
		});
		// and the killed router is evicted once the survivors' grace after registry-1's loss (two TTLs) has passed
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(registry(9111, tokenBefore)
			.getGroup(GetGroupRequest.newBuilder().setName("router").build())
			.getInstancesList()).extracting(Instance::getInstanceId).doesNotContain("router-1"));
	}

	private static CreateServerRequest request(String name) {
		return CreateServerRequest.newBuilder().setName(name).setFlavor("m1.small").setImage("debian-12").build();
	}

	private static String demoToken(int authHttp) throws Exception {
		return platform.token(authHttp, "SWITCHBOARD_DEMO");
	}

	private static ComputeGrpc.ComputeBlockingStub compute(int port, String token) {
		return ComputeGrpc.newBlockingStub(platform.plaintext(port))
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)))
			.withDeadlineAfter(5, TimeUnit.SECONDS);
	}

	/** The registries serve TLS with their platform certificates. */
	private static RegistryGrpc.RegistryBlockingStub registry(int port, String token) {
		return RegistryGrpc.newBlockingStub(platform.tls(port, "registry"))
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)))
			.withDeadlineAfter(5, TimeUnit.SECONDS);
	}

}
