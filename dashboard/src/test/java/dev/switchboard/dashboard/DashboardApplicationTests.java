package dev.switchboard.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.google.protobuf.Timestamp;
import de.codecentric.boot.admin.server.domain.entities.Instance;
import de.codecentric.boot.admin.server.services.InstanceRegistry;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.component.registration.ComponentRegistrar;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.cookie;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The whole dashboard against an in-process registry: its login, the platform view and API, and Spring Boot Admin
 * fed by the starter's DiscoveryClient.
 */
@SpringBootTest(properties = { "spring.security.user.password=secret", "server.port=0",
		"switchboard.identity.enabled=false",
		"switchboard.management.scrape-password=scrape-secret",
		"spring.boot.admin.monitor.status-interval=60s", "spring.boot.admin.monitor.info-interval=60s" })
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class DashboardApplicationTests {

	private static final String OUT_OF_SERVICE = "{\"outOfService\": true}";

	@Autowired
	private MockMvc mvc;

	@Autowired
	private FakeRegistry registry;

	@Test
	void whenAnonymousThenTheBrowserIsSentToTheLoginPageAndScriptsGet401() throws Exception {
		this.mvc.perform(get("/platform").accept(MediaType.TEXT_HTML))
			.andExpect(status().isFound())
			.andExpect(redirectedUrl("/login"));
		this.mvc.perform(get("/").accept(MediaType.TEXT_HTML)).andExpect(redirectedUrl("/login"));
		this.mvc.perform(get("/platform/api/groups").accept(MediaType.TEXT_HTML)).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/applications").accept(MediaType.APPLICATION_JSON)).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/instances").accept(MediaType.APPLICATION_JSON)).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/platform/assets/platform.js")).andExpect(status().isUnauthorized());
		this.mvc.perform(get("/actuator/beans")).andExpect(status().isUnauthorized());
	}

	@Test
	void whenAnonymousThenOnlyTheLoginPageItsAssetsAndHealthAndInfoAreOpen() throws Exception {
		this.mvc.perform(get("/login").accept(MediaType.TEXT_HTML)).andExpect(status().isOk());
		this.mvc.perform(get("/actuator/health")).andExpect(status().isOk());
		this.mvc.perform(get("/actuator/info")).andExpect(status().isOk());
		// the login page's own assets
		this.mvc.perform(get("/assets/img/favicon.png")).andExpect(status().isOk());
	}

	@Test
	void whenTheAdminLogsInWithTheFormThenTheSessionIsAuthenticated() throws Exception {
		this.mvc.perform(login("admin", "secret"))
			.andExpect(status().isFound())
			.andExpect(redirectedUrl("/"))
			.andExpect(authenticated().withRoles("ADMIN"));
		this.mvc.perform(login("admin", "wrong")).andExpect(redirectedUrlPattern("/login?error*"));
	}

	@Test
	void whenTheLoginFormNamesWhereToGoThenOnlyPagesOfTheDashboardAreFollowed() throws Exception {
		this.mvc.perform(login("admin", "secret").param("redirectTo", "http://localhost/applications"))
			.andExpect(redirectedUrl("http://localhost/applications"));
		this.mvc.perform(login("admin", "secret").param("redirectTo", "/platform"))
			.andExpect(redirectedUrl("/platform"));
		for (String elsewhere : List.of("https://evil.example/", "//evil.example/", "http://localhost:8666/",
				"https://localhost/applications", "javascript:alert(1)")) {
			this.mvc.perform(login("admin", "secret").param("redirectTo", elsewhere))
				.andExpect(authenticated())
				.andExpect(redirectedUrl("/"));
		}
	}

	@Test
	void whenSpringBootAdminsInstanceEndpointsAreWrittenWithoutACsrfTokenThenForbidden() throws Exception {
		this.mvc.perform(delete("/instances/compute-1").with(user("admin").roles("ADMIN")))
			.andExpect(status().isForbidden());
		this.mvc.perform(post("/instances").with(user("admin").roles("ADMIN"))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"name\":\"intruder\",\"healthUrl\":\"http://127.0.0.1:1/actuator/health\"}"))
			.andExpect(status().isForbidden());
	}

	@Test
	void whenTheScrapeUserAsksThenPrometheusOnly() throws Exception {
		this.mvc.perform(get("/actuator/prometheus").with(httpBasic("prometheus", "scrape-secret")))
			.andExpect(status().isOk());
		this.mvc.perform(get("/platform/api/groups").with(httpBasic("prometheus", "scrape-secret")))
			.andExpect(status().isForbidden());
		this.mvc.perform(get("/actuator/prometheus")).andExpect(status().isUnauthorized());
	}

	@Test
	void whenAUserWithoutTheAdminRoleThenForbidden() throws Exception {
		this.mvc.perform(get("/platform/api/groups").with(user("viewer").roles("VIEWER")))
			.andExpect(status().isForbidden());
	}

	@Test
	void whenTheAdminAsksForGroupsThenEveryGroupAndReplicaComesWithLeaseAndLoad() throws Exception {
		this.mvc.perform(get("/platform/api/groups").with(httpBasic("admin", "secret")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[*].name").value(contains("auth", "compute", "network")))
			.andExpect(jsonPath("$[1].up").value(2))
			.andExpect(jsonPath("$[1].replicas[*].instanceId")
				.value(contains("compute-1", "compute-2")))
			.andExpect(jsonPath("$[1].replicas[0].status").value("UP"))
			.andExpect(jsonPath("$[1].replicas[0].leaseAgeMillis").isNumber())
			.andExpect(jsonPath("$[1].replicas[0].inFlight").value(3))
			.andExpect(jsonPath("$[1].replicas[0].callsPerSecond").value(12.5))
			.andExpect(jsonPath("$[1].replicas[0].address").value("127.0.0.1:7001"))
			.andExpect(jsonPath("$[1].replicas[0].managementUrl").value("http://127.0.0.1:8001/actuator"));
	}

	@Test
	void whenAGroupHasNoActuatorThenItIsListedLikeAnyOtherWithAnEmptyManagementUrl() throws Exception {
		this.mvc.perform(get("/platform/api/groups").with(httpBasic("admin", "secret")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[2].name").value("network"))
			.andExpect(jsonPath("$[2].up").value(1))
			.andExpect(jsonPath("$[2].services").value(contains("switchboard.sample.network.v1.Network")))
			.andExpect(jsonPath("$[2].replicas[0].instanceId").value("network-1"))
			.andExpect(jsonPath("$[2].replicas[0].status").value("UP"))
			.andExpect(jsonPath("$[2].replicas[0].address").value("127.0.0.1:7201"))
			.andExpect(jsonPath("$[2].replicas[0].managementUrl").value(""));
	}

	@Test
	void whenThePlatformPageIsOpenedThenItMayBeFramedBySpringBootAdminAndSetsTheCsrfCookie() throws Exception {
		this.mvc.perform(get("/platform").with(user("admin").roles("ADMIN")).accept(MediaType.TEXT_HTML))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
			.andExpect(content().string(containsString("platform/assets/platform.js")))
			.andExpect(header().string("X-Frame-Options", "SAMEORIGIN"))
			.andExpect(cookie().exists("XSRF-TOKEN"));
		this.mvc.perform(get("/platform/assets/platform.js").with(user("admin").roles("ADMIN")))
			.andExpect(status().isOk());
	}

	@Test
	void whenSwitchedWithoutTheCsrfTokenThenForbiddenAndTheReplicaIsUntouched() throws Exception {
		this.mvc.perform(post("/platform/api/replicas/compute-2/out-of-service").with(httpBasic("admin", "secret"))
			.contentType(MediaType.APPLICATION_JSON)
			.content(OUT_OF_SERVICE)).andExpect(status().isForbidden());
		assertThat(this.registry.instance("compute-2").getForcedOutOfService()).isFalse();
	}

	@Test
	void whenSwitchedWithTheCookiesCsrfTokenThenTheReplicaIsForcedOutOfServiceAndBack() throws Exception {
		this.mvc.perform(withCsrfCookie(post("/platform/api/replicas/compute-1/out-of-service"))
			.with(user("admin").roles("ADMIN"))
			.contentType(MediaType.APPLICATION_JSON)
			.content(OUT_OF_SERVICE))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.instanceId").value("compute-1"))
			.andExpect(jsonPath("$.status").value("OUT_OF_SERVICE"))
			.andExpect(jsonPath("$.forcedOutOfService").value(true));
		assertThat(this.registry.instance("compute-1").getForcedOutOfService()).isTrue();
		this.mvc.perform(withCsrfCookie(post("/platform/api/replicas/compute-1/out-of-service"))
			.with(user("admin").roles("ADMIN"))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"outOfService\": false}")).andExpect(jsonPath("$.status").value("UP"));
		assertThat(this.registry.instance("compute-1").getForcedOutOfService()).isFalse();
	}

	@Test
	void whenTheRegistryRefusesThenTheGrpcStatusAndReasonComeBack() throws Exception {
		this.mvc.perform(withCsrfCookie(post("/platform/api/replicas/ghost-1/out-of-service"))
			.with(httpBasic("admin", "secret"))
			.contentType(MediaType.APPLICATION_JSON)
			.content(OUT_OF_SERVICE))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.code").value("NOT_FOUND"))
			.andExpect(jsonPath("$.message").value("instance 'ghost-1' is not registered"));
		this.registry.failNext(Status.PERMISSION_DENIED.withDescription("client 'dashboard' has no admin grant"));
		this.mvc.perform(withCsrfCookie(post("/platform/api/replicas/compute-1/out-of-service"))
			.with(httpBasic("admin", "secret"))
			.contentType(MediaType.APPLICATION_JSON)
			.content(OUT_OF_SERVICE))
			.andExpect(status().isForbidden())
			.andExpect(jsonPath("$.code").value("PERMISSION_DENIED"))
			.andExpect(jsonPath("$.message").value("client 'dashboard' has no admin grant"));
		this.registry.failNext(Status.UNAUTHENTICATED.withDescription("token expired"));
		this.mvc.perform(get("/platform/api/groups").with(httpBasic("admin", "secret")))
			.andExpect(status().isBadGateway())
			.andExpect(jsonPath("$.code").value("UNAUTHENTICATED"))
			.andExpect(jsonPath("$.message").value("token expired"));
	}

	@Test
	void whenTheSwitchNamesNoValueThenBadRequestAndTheRegistryIsNotCalled() throws Exception {
		int before = this.registry.calls().size();
		this.mvc.perform(withCsrfCookie(post("/platform/api/replicas/compute-1/out-of-service"))
			.with(httpBasic("admin", "secret"))
			.contentType(MediaType.APPLICATION_JSON)
			.content("{}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("INVALID_ARGUMENT"));
		assertThat(this.registry.calls()).hasSize(before);
	}

	@Test
	void whenTheRegistryKnowsReplicasThenSpringBootAdminListsThoseWithAnActuatorByInstanceIdWithTheirUrls(
			@Autowired InstanceRegistry instances, CapturedOutput output) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			List<Instance> known = instances.getInstances().collectList().block(Duration.ofSeconds(5));
			// network-1 has no actuator: nothing for Spring Boot Admin to read, and no error for trying
			assertThat(known).extracting((instance) -> instance.getId().getValue())
				.containsExactlyInAnyOrder("auth-1", "compute-1", "compute-2");
			assertThat(output).doesNotContain("Couldn't register instance").doesNotContain("no management URL");
			Instance compute = known.stream()
				.filter((instance) -> instance.getId().getValue().equals("compute-1"))
				.findFirst()
				.orElseThrow();
			assertThat(compute.getRegistration().getName()).isEqualTo("compute");
			assertThat(compute.getRegistration().getHealthUrl()).isEqualTo("http://127.0.0.1:8001/actuator/health");
		});
	}

	@Test
	void whenStartedThenNoGrpcServerRunsAndNothingIsRegistered(@Autowired ApplicationContext context,
			@Autowired ComponentRegistrar registrar) {
		assertThat(context.getBeanNamesForType(GrpcServerLifecycle.class)).isEmpty();
		assertThat(registrar.registration()).isNull();
	}

	/** Posts the login form as the login page does, with the CSRF token of the cookie the page set. */
	private MockHttpServletRequestBuilder login(String user, String password) throws Exception {
		Cookie csrf = this.mvc.perform(get("/login").accept(MediaType.TEXT_HTML))
			.andReturn()
			.getResponse()
			.getCookie("XSRF-TOKEN");
		assertThat(csrf).as("XSRF-TOKEN cookie").isNotNull();
		return post("/login").cookie(csrf)
			.param("username", user)
			.param("password", password)
			.param("_csrf", csrf.getValue());
	}

	/** Sends the CSRF token as the UIs do: the cookie a page set, and its value in the {@code X-XSRF-TOKEN} header. */
	private MockHttpServletRequestBuilder withCsrfCookie(MockHttpServletRequestBuilder request) throws Exception {
		MvcResult page = this.mvc.perform(get("/platform").with(user("admin").roles("ADMIN")).accept(MediaType.TEXT_HTML))
			.andReturn();
		Cookie csrf = page.getResponse().getCookie("XSRF-TOKEN");
		assertThat(csrf).as("XSRF-TOKEN cookie").isNotNull();
		return request.cookie(csrf).header("X-XSRF-TOKEN", csrf.getValue());
	}

	@Test
	void whenStartedThenAsyncRequestsRunOnBootsApplicationTaskExecutor(@Autowired ApplicationContext context) {
		assertThat(context.containsBean("applicationTaskExecutor")).isTrue();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class InProcessRegistryConfiguration {

		private static final String NAME = "dashboard-registry-" + UUID.randomUUID();

		@Bean
		FakeRegistry fakeRegistry() {
			Instant now = Instant.now();
			Timestamp renewed = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
			return new FakeRegistry().add(FakeRegistry.replica("compute", "compute-1", 7001, renewed))
				.add(FakeRegistry.replica("compute", "compute-2", 7002, renewed))
				.add(FakeRegistry.replica("auth", "auth-1", 7100, renewed))
				// a component without an actuator, as a Python one registers
				.add(FakeRegistry.replica("network", "network-1", 7201, renewed)
					.toBuilder()
					.clearManagementUrl()
					.clearServices()
					.addServices("switchboard.sample.network.v1.Network")
					.build());
		}

		@Bean(destroyMethod = "shutdownNow")
		Server fakeRegistryServer(FakeRegistry fakeRegistry) throws IOException {
			return InProcessServerBuilder.forName(NAME).directExecutor().addService(fakeRegistry).build().start();
		}

		@Bean(destroyMethod = "shutdownNow")
		ManagedChannel fakeRegistryChannel(Server fakeRegistryServer) {
			return InProcessChannelBuilder.forName(NAME).directExecutor().build();
		}

		/** Replaces the starter's channels, which would dial the configured registry addresses. */
		@Bean
		RegistryChannels registryChannels(ManagedChannel fakeRegistryChannel) {
			return new RegistryChannels(List.of(NAME), (target) -> fakeRegistryChannel);
		}

	}

}
