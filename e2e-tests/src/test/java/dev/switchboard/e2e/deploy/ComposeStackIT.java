package dev.switchboard.e2e.deploy;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.Server;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker-compose stack, built and started by Testcontainers, and one call through a router with a token
 * from the stack's auth. Needs a Docker engine with the compose plugin; skipped with a message where there is none
 * (as on the machine this project is built on, where {@link ComposeFileIT} checks the file instead).
 */
class ComposeStackIT {

	@Test
	void oneCallThroughARouterOfTheComposeStack() throws Exception {
		Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
				"Docker is not available here: the compose stack is checked by ComposeFileIT and its topology run as "
						+ "local processes by HaPlatformIT");
		Map<String, String> env = new HashMap<>();
		for (String name : new String[] { "SWITCHBOARD_ADMIN_PASSWORD", "SWITCHBOARD_SCRAPE_PASSWORD",
				"SWITCHBOARD_READER_PASSWORD",
				"SWITCHBOARD_AUTH_CLIENT_SECRET", "SWITCHBOARD_REGISTRY_CLIENT_SECRET", "SWITCHBOARD_ROUTER_CLIENT_SECRET",
				"SWITCHBOARD_COMPUTE_CLIENT_SECRET", "SWITCHBOARD_VOLUME_CLIENT_SECRET",
				"SWITCHBOARD_NETWORK_CLIENT_SECRET",
				"SWITCHBOARD_DASHBOARD_CLIENT_SECRET", "SWITCHBOARD_ADMIN_CLIENT_SECRET", "SWITCHBOARD_DB_PASSWORD",
				"SWITCHBOARD_GRAFANA_PASSWORD" }) {
			env.put(name, UUID.randomUUID().toString());
		}
		byte[] kek = new byte[32];
		new SecureRandom().nextBytes(kek);
		env.put("SWITCHBOARD_CA_KEK", Base64.getEncoder().encodeToString(kek));
		File file = PlatformProcess.root().resolve("docker-compose.yml").toFile();
		try (ComposeContainer stack = new ComposeContainer(file).withEnv(env)
			.withBuild(true)
			.withRemoveVolumes(true)
			.withExposedService("router-1", 9100, Wait.forHealthcheck())
			.withExposedService("auth-1", 8102, Wait.forHealthcheck())
			.withExposedService("compute-1", 9090, Wait.forHealthcheck())
			.withExposedService("network-1", 9090, Wait.forHealthcheck())
			.withExposedService("network-2", 9090, Wait.forHealthcheck())
			.withStartupTimeout(Duration.ofMinutes(15))) {
			stack.start();
			URI tokenUri = URI.create("http://" + stack.getServiceHost("auth-1", 8102) + ":"
					+ stack.getServicePort("auth-1", 8102) + "/oauth2/token");
			// the volume group's secret was chosen in the environment; its client may call compute
			String token = PlatformClients.token(tokenUri, "volume", env.get("SWITCHBOARD_VOLUME_CLIENT_SECRET"));
			// the router's front door is TLS with its platform certificate: trust the CA auth publishes
			HttpResponse<String> ca = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://" + stack.getServiceHost("auth-1", 8102) + ":"
						+ stack.getServicePort("auth-1", 8102) + "/ca")).build(), HttpResponse.BodyHandlers.ofString());
			PlatformTrust trust = PlatformTrust.of("switchboard.local", Pem.parseCertificates(ca.body()));
			ManagedChannel channel = Grpc.newChannelBuilderForAddress(stack.getServiceHost("router-1", 9100),
					stack.getServicePort("router-1", 9100),
					TlsChannelCredentials.newBuilder().trustManager(trust.trustManager(Set.of("router"))).build())
				.build();
			try {
				// compute (Java) gets the server's port from network (Python), which asks compute about the server:
				// both through the routers, by the name both answer to
				Server server = ComputeGrpc.newBlockingStub(channel)
					.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(PlatformClients.bearer(token)))
					.withDeadlineAfter(10, TimeUnit.SECONDS)
					.createServer(CreateServerRequest.newBuilder()
						.setName("compose-1")
						.setFlavor("m1.small")
						.setImage("debian-12")
						.addNetworks("private")
						.build());
				assertThat(server.getServedBy()).startsWith("compute-");
				assertThat(server.getPortIdsList()).hasSize(1);
			}
			finally {
				channel.shutdownNow();
			}
		}
	}

}
