package dev.switchboard.component.discovery;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.registry.v1.Instance;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Cloud's {@link DiscoveryClient} over the registry's Watch stream: services are groups, instances are
 * replicas, with their status, zone, weight, gRPC services and management URL in the metadata. Answers from memory;
 * with every registry down it keeps answering with the last known state.
 */
public final class SwitchboardDiscoveryClient implements DiscoveryClient {

	/** Metadata key of the instance's effective status. */
	public static final String STATUS = "switchboard.status";

	/** Metadata key of the instance's comma-separated gRPC service names. */
	public static final String SERVICES = "switchboard.services";

	/** Metadata key of the instance's actuator base URL (the name Spring Boot Admin reads). */
	public static final String MANAGEMENT_URL = "management.url";

	/** Metadata key of the instance's zone. */
	public static final String ZONE = "zone";

	/** Metadata key of the instance's weight. */
	public static final String WEIGHT = "switchboard.weight";

	private final RegistryWatcher watcher;

	public SwitchboardDiscoveryClient(RegistryWatcher watcher) {
		this.watcher = Objects.requireNonNull(watcher, "watcher");
	}

	@Override
	public String description() {
		return "Switchboard registry";
	}

	@Override
	public List<ServiceInstance> getInstances(String serviceId) {
		return this.watcher.view()
			.group(serviceId)
			.stream()
			.sorted(java.util.Comparator.comparing(Instance::getInstanceId))
			.map(SwitchboardDiscoveryClient::toServiceInstance)
			.toList();
	}

	@Override
	public List<String> getServices() {
		return this.watcher.view().groups();
	}

	@Override
	public void probe() {
		if (this.watcher.view().revision() == 0) {
			throw new IllegalStateException("no snapshot received from the registry yet");
		}
	}

	static ServiceInstance toServiceInstance(Instance instance) {
		Map<String, String> metadata = new HashMap<>(instance.getMetadataMap());
		metadata.put(STATUS, instance.getStatus().name());
		metadata.put(SERVICES, String.join(",", instance.getServicesList()));
		metadata.put(WEIGHT, Integer.toString(instance.getWeight()));
		if (!instance.getZone().isEmpty()) {
			metadata.put(ZONE, instance.getZone());
		}
		if (!instance.getManagementUrl().isEmpty()) {
			metadata.put(MANAGEMENT_URL, instance.getManagementUrl());
		}
		return new DefaultServiceInstance(instance.getInstanceId(), instance.getGroup(), instance.getHost(),
				instance.getPort(), false, metadata);
	}

}
