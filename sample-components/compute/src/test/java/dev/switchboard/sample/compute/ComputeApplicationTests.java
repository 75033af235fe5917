package dev.switchboard.sample.compute;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.CreateServerRequest;
import dev.switchboard.sample.compute.v1.Server;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** The application as configured, without a registry: the service is served, the actuator locked down. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "switchboard.component.enabled=false", "switchboard.identity.enabled=false",
				"spring.grpc.server.inprocess.name=compute-app-test",
				"spring.security.user.password=test-secret", "switchboard.management.scrape-password=scrape-secret",
				"switchboard.management.reader-password=reader-secret" })
class ComputeApplicationTests {

	private final ManagedChannel channel = InProcessChannelBuilder.forName("compute-app-test").build();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@AfterEach
	void closeChannel() throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	@Test
	void whenNotRegisteredThenServedByApplicationName() {
		CreateServerRequest request = CreateServerRequest.newBuilder()
			.setName("web-1")
			.setFlavor("m1.small")
			.setImage("ubuntu")
			.build();
		Server created = ComputeGrpc.newBlockingStub(this.channel).createServer(request);
		assertThat(created.getServedBy()).isEqualTo("compute");
	}

	@Test
	void whenHealthAskedWithoutCredentialsThenAnswered() throws Exception {
		assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
	}

	@Test
	void whenPrometheusAskedWithoutCredentialsThenUnauthorized() throws Exception {
		assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
	}

	@Test
	void whenPrometheusAskedByAdminThenScraped() throws Exception {
		HttpResponse<String> response = get("/actuator/prometheus", "admin:test-secret");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("jvm_");
	}

	@Test
	void whenScrapeUserAsksThenPrometheusOnly() throws Exception {
		assertThat(get("/actuator/prometheus", "prometheus:scrape-secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/grpcclients", "prometheus:scrape-secret").statusCode()).isEqualTo(403);
		assertThat(get("/actuator/grpcclients", "admin:test-secret").statusCode()).isEqualTo(200);
	}

	@Test
	void whenTheReaderAsksThenItMayReadButNeverChange() throws Exception {
		assertThat(get("/actuator/metrics", "reader:reader-secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/loggers", "reader:reader-secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/grpcclients", "reader:reader-secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/prometheus", "reader:reader-secret").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/threaddump", "reader:reader-secret").statusCode()).isEqualTo(403);
		HttpRequest change = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/loggers/ROOT"))
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString("reader:reader-secret".getBytes(StandardCharsets.UTF_8)))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"configuredLevel\":\"DEBUG\"}"))
			.build();
		assertThat(this.http.send(change, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
		assertThat(get("/actuator/threaddump", "admin:test-secret").statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path));
		if (credentials != null) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
