package dev.switchboard.dashboard.discovery;

import java.util.Map;

import de.codecentric.boot.admin.server.domain.values.InstanceId;
import de.codecentric.boot.admin.server.domain.values.Registration;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ReplicaInstanceConverterTests {

	private final ReplicaInstanceConverter converter = new ReplicaInstanceConverter();

	@Test
	void whenTheReplicaRegisteredAManagementUrlThenSpringBootAdminUsesItNotTheGrpcAddress() {
		Registration registration = this.converter.convert(replica(Map.of(SwitchboardDiscoveryClient.MANAGEMENT_URL,
				"http://10.0.0.7:8201/actuator", SwitchboardDiscoveryClient.STATUS, "UP")));
		assertThat(registration.getName()).isEqualTo("compute");
		assertThat(registration.getManagementUrl()).isEqualTo("http://10.0.0.7:8201/actuator");
		assertThat(registration.getHealthUrl()).isEqualTo("http://10.0.0.7:8201/actuator/health");
		assertThat(registration.getServiceUrl()).isEqualTo("http://10.0.0.7:8201/");
		assertThat(registration.getMetadata()).containsEntry(ReplicaInstanceConverter.INSTANCE_ID, "compute-1")
			.containsEntry(ReplicaInstanceConverter.GRPC_ADDRESS, "10.0.0.7:34871")
			.containsEntry(SwitchboardDiscoveryClient.STATUS, "UP");
	}

	@Test
	void whenTheManagementUrlEndsWithASlashThenTheHealthUrlHasNoDoubleSlash() {
		Registration registration = this.converter.convert(
				replica(Map.of(SwitchboardDiscoveryClient.MANAGEMENT_URL, "http://10.0.0.7:8201/manage/")));
		assertThat(registration.getManagementUrl()).isEqualTo("http://10.0.0.7:8201/manage");
		assertThat(registration.getHealthUrl()).isEqualTo("http://10.0.0.7:8201/manage/health");
	}

	@Test
	void whenTheReplicaRegisteredNoManagementUrlThenItIsRefusedWithAReason() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.converter.convert(replica(Map.of())))
			.withMessage("replica 'compute-1' of group 'compute' registered no management URL");
	}

	@Test
	void whenConvertedThenTheSpringBootAdminInstanceIsNamedAfterTheReplica() {
		Registration registration = this.converter.convert(
				replica(Map.of(SwitchboardDiscoveryClient.MANAGEMENT_URL, "http://10.0.0.7:8201/actuator")));
		assertThat(new ReplicaInstanceIdGenerator().generateId(registration)).isEqualTo(InstanceId.of("compute-1"));
	}

	@Test
	void whenARegistrationDidNotComeFromDiscoveryThenItsIdIsSpringBootAdminsHash() {
		Registration registration = Registration.create("other", "http://10.0.0.9:8080/actuator/health").build();
		InstanceId id = new ReplicaInstanceIdGenerator().generateId(registration);
		assertThat(id.getValue()).isNotBlank().isNotEqualTo("other");
		assertThat(new ReplicaInstanceIdGenerator().generateId(registration)).isEqualTo(id);
	}

	private static ServiceInstance replica(Map<String, String> metadata) {
		return new DefaultServiceInstance("compute-1", "compute", "10.0.0.7", 34871, false, metadata);
	}

}
