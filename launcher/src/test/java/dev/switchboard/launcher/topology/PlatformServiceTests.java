package dev.switchboard.launcher.topology;

import dev.switchboard.contracts.DefaultPorts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class PlatformServiceTests {

	@Test
	void whenFixedServiceHasSecondReplicaThenItListensTenPortsUp() {
		assertThat(PlatformService.REGISTRY.grpcPort(1)).isEqualTo(DefaultPorts.REGISTRY_GRPC);
		assertThat(PlatformService.REGISTRY.grpcPort(2)).isEqualTo(DefaultPorts.REGISTRY_GRPC + 10);
		assertThat(PlatformService.AUTH.httpPort(2)).isEqualTo(DefaultPorts.AUTH_HTTP + 10);
		assertThat(PlatformService.ROUTER.grpcPort(2)).isEqualTo(DefaultPorts.ROUTER_GRPC + 10);
	}

	@Test
	void whenSampleReplicaThenAnyGrpcPortAndActuatorOnBasePlusReplica() {
		assertThat(PlatformService.COMPUTE.grpcPort(3)).isZero();
		assertThat(PlatformService.COMPUTE.httpPort(1)).isEqualTo(DefaultPorts.COMPUTE_HTTP + 1);
		assertThat(PlatformService.VOLUME.httpPort(2)).isEqualTo(DefaultPorts.VOLUME_HTTP + 2);
		assertThat(PlatformService.COMPUTE.instance(2)).isEqualTo("compute-2");
	}

	@Test
	void whenReplicaZeroThenRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> PlatformService.ROUTER.grpcPort(0));
	}

	@Test
	void whenPythonSampleThenNoJarNoJvmNoActuator() {
		assertThat(PlatformService.NETWORK.isJava()).isFalse();
		assertThatIllegalStateException().isThrownBy(PlatformService.NETWORK::artifact);
		assertThatIllegalStateException().isThrownBy(() -> PlatformService.NETWORK.httpPort(1));
	}

	@Test
	void whenGroupsListedThenOneClientPerPlatformGroupInOrder() {
		assertThat(PlatformService.groups()).containsExactly("auth", "registry", "router", "compute", "volume",
				"network", "dashboard");
	}

	@Test
	void whenRouterThenItsOwnJvmSettingsAndEveryOtherQuickStart() {
		assertThat(PlatformService.ROUTER.jvm()).isEqualTo(JvmSettings.ROUTER);
		assertThat(PlatformService.AUTH.jvm()).isEqualTo(JvmSettings.QUICK_START);
		assertThat(JvmSettings.ROUTER.file()).isEqualTo("deploy/jvm/router.options");
	}

	@Test
	void whenCheckoutThenJarsCarryTheBuildsVersion() {
		Checkout checkout = Checkout.at(java.nio.file.Path.of("/src/switchboard"));
		assertThat(Checkout.version()).isNotBlank().doesNotContain("@");
		assertThat(checkout.jar(PlatformService.COMPUTE)).hasToString(
				"/src/switchboard/sample-components/compute/target/sample-compute-" + Checkout.version() + "-exec.jar");
		assertThat(checkout.jvmOptions(PlatformService.ROUTER))
			.containsExactly("@/src/switchboard/deploy/jvm/router.options");
	}

}
