package dev.switchboard.dashboard.discovery;

import de.codecentric.boot.admin.server.cloud.discovery.InstanceDiscoveryListener;
import de.codecentric.boot.admin.server.domain.entities.InstanceRepository;
import de.codecentric.boot.admin.server.services.InstanceRegistry;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Boot Admin's discovery listener, leaving out the replicas that registered no management URL: components
 * without an actuator, such as those written in Python, have nothing for Spring Boot Admin to read. Without this,
 * every discovery run would log an error with a stack trace for each of them; the platform view still shows them,
 * from the registry, like any other replica.
 */
public final class ActuatorOnlyDiscoveryListener extends InstanceDiscoveryListener {

	public ActuatorOnlyDiscoveryListener(DiscoveryClient discoveryClient, InstanceRegistry registry,
			InstanceRepository repository) {
		super(discoveryClient, registry, repository);
	}

	@Override
	protected boolean shouldRegisterInstanceBasedOnMetadata(ServiceInstance instance) {
		return ReplicaInstanceConverter.hasManagementUrl(instance)
				&& super.shouldRegisterInstanceBasedOnMetadata(instance);
	}

}
