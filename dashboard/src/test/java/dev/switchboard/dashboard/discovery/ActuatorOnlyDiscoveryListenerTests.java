package dev.switchboard.dashboard.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import de.codecentric.boot.admin.server.cloud.discovery.InstanceDiscoveryListener;
import de.codecentric.boot.admin.server.domain.entities.EventsourcingInstanceRepository;
import de.codecentric.boot.admin.server.domain.entities.Instance;
import de.codecentric.boot.admin.server.eventstore.InMemoryEventStore;
import de.codecentric.boot.admin.server.services.InstanceRegistry;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot Admin fed from discovery where one group has no actuator (a Python component): Spring Boot Admin's own
 * listener logs an error with a stack trace for each such replica on every discovery run; this one leaves them out.
 */
@ExtendWith(OutputCaptureExtension.class)
class ActuatorOnlyDiscoveryListenerTests {

	private final EventsourcingInstanceRepository repository = new EventsourcingInstanceRepository(
			new InMemoryEventStore());

	private final InstanceRegistry registry = new InstanceRegistry(this.repository, new ReplicaInstanceIdGenerator(),
			(instance) -> true);

	private final DiscoveryClient discovery = new DiscoveryClient() {

		@Override
		public String description() {
			return "test";
		}

		@Override
		public List<ServiceInstance> getInstances(String serviceId) {
			return switch (serviceId) {
				case "compute" -> List.of(new DefaultServiceInstance("compute-1", "compute", "127.0.0.1", 7001, false,
						Map.of(SwitchboardDiscoveryClient.MANAGEMENT_URL, "http://127.0.0.1:8001/actuator")));
				case "network" -> List.of(new DefaultServiceInstance("network-1", "network", "127.0.0.1", 7201, false,
						Map.of(SwitchboardDiscoveryClient.STATUS, "UP")));
				default -> List.of();
			};
		}

		@Override
		public List<String> getServices() {
			return List.of("compute", "network");
		}

	};

	@Test
	void whenAGroupHasNoActuatorThenItsReplicasAreLeftOutWithoutAnError(CapturedOutput output) {
		discover(new ActuatorOnlyDiscoveryListener(this.discovery, this.registry, this.repository));

		assertThat(known()).containsExactly("compute-1");
		assertThat(output).doesNotContain("Couldn't register instance");
	}

	@Test
	void whenSpringBootAdminsOwnListenerMeetsTheSameGroupThenItLogsAnErrorPerReplica(CapturedOutput output) {
		discover(new InstanceDiscoveryListener(this.discovery, this.registry, this.repository));

		assertThat(known()).containsExactly("compute-1");
		assertThat(output).contains("Couldn't register instance for discovered instance")
			.contains("replica 'network-1' of group 'network' registered no management URL");
	}

	private void discover(InstanceDiscoveryListener listener) {
		listener.setConverter(new ReplicaInstanceConverter());
		listener.onApplicationReady(null);
	}

	private List<String> known() {
		List<Instance> instances = this.repository.findAll().collectList().block(Duration.ofSeconds(5));
		return instances.stream().map((instance) -> instance.getId().getValue()).toList();
	}

}
