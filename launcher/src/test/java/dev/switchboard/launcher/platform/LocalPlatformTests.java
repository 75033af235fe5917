package dev.switchboard.launcher.platform;

import dev.switchboard.launcher.platform.LocalPlatform.Layout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPlatformTests {

	@Test
	void whenHaThenTwoReplicasOfEachFixedServiceTenPortsApart() {
		assertThat(LocalPlatform.fixedPorts(new Layout(true, 3, 2, 2))).containsExactlyInAnyOrder(8103, 9102, 8102,
				9101, 8101, 9100, 8100, 9112, 8112, 9111, 8111, 9110, 8110);
	}

	@Test
	void whenAllPortsThenClusterMembersAndJavaSampleActuatorsToo() {
		assertThat(LocalPlatform.ports(new Layout(false, 2, 1, 2))).containsExactlyInAnyOrder(8103, 9102, 8102, 9101,
				8101, 9100, 8100, 5701, 8201, 8202, 8301);
	}

}
