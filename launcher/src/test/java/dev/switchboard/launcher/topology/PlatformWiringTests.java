package dev.switchboard.launcher.topology;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformWiringTests {

	private final PlatformWiring wiring = new PlatformWiring("127.0.0.1", List.of("127.0.0.1:9101", "127.0.0.1:9111"),
			List.of("127.0.0.1:9102", "127.0.0.1:9112"), List.of("http://127.0.0.1:8102/oauth2/token"),
			Path.of("/state/ca.pem"));

	@Test
	void whenAComponentIsWiredThenItGetsItsGroupsClientTheRegistriesTheCaAndTheTokenEndpoint() {
		assertThat(this.wiring.arguments(PlatformService.COMPUTE)).containsExactlyInAnyOrder(
				"--switchboard.identity.trust-bundle=/state/ca.pem",
				"--switchboard.identity.ca-addresses=127.0.0.1:9102,127.0.0.1:9112",
				"--switchboard.client.credentials.client-id=compute",
				"--switchboard.client.credentials.token-uri=http://127.0.0.1:8102/oauth2/token",
				"--switchboard.component.host=127.0.0.1",
				"--switchboard.client.registry.addresses=127.0.0.1:9101,127.0.0.1:9111");
	}

	@Test
	void whenARegistryIsWiredThenItAsksAuthAndHasNoRegistryToRegisterWith() {
		List<String> registry = this.wiring.arguments(PlatformService.REGISTRY);
		assertThat(registry).contains("--switchboard.client.credentials.client-id=registry",
				"--switchboard.registry.auth.fallback-address=127.0.0.1:9102,127.0.0.1:9112");
		assertThat(registry).noneMatch((argument) -> argument.startsWith("--switchboard.client.registry."))
			.noneMatch((argument) -> argument.startsWith("--switchboard.component."));
	}

	@Test
	void whenARouterIsWiredThenItAsksTheAuthReplicasForDecisions() {
		assertThat(this.wiring.arguments(PlatformService.ROUTER)).contains(
				"--switchboard.client.credentials.client-id=router",
				"--switchboard.router.auth.fallback-address=127.0.0.1:9102,127.0.0.1:9112");
	}

	@Test
	void whenAnyProcessIsWiredThenItsSecretIsInTheEnvironmentNeverAnArgument() {
		Map<String, String> secrets = Map.of("volume", "s3cret");
		assertThat(PlatformWiring.environment(PlatformService.VOLUME, secrets))
			.containsExactly(Map.entry(PlatformClient.SECRET_VARIABLE, "s3cret"));
		for (PlatformService service : PlatformService.values()) {
			assertThat(this.wiring.arguments(service)).noneMatch((argument) -> argument.contains("secret"));
		}
	}

	@Test
	void whenAProcessRegistersThenItIsNamedByItsInstanceIdElseByItsCertificate() {
		assertThat(PlatformWiring.instanceArgument(PlatformService.ROUTER, "router-2"))
			.isEqualTo("--switchboard.component.instance-id=router-2");
		assertThat(PlatformWiring.instanceArgument(PlatformService.REGISTRY, "registry-1"))
			.isEqualTo("--switchboard.identity.instance-id=registry-1");
		assertThat(PlatformWiring.instanceArgument(PlatformService.DASHBOARD, "dashboard"))
			.isEqualTo("--switchboard.identity.instance-id=dashboard");
	}

}
