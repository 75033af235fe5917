package dev.switchboard.dashboard.discovery;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import de.codecentric.boot.admin.server.cloud.discovery.ServiceInstanceConverter;
import de.codecentric.boot.admin.server.domain.values.Registration;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.util.StringUtils;

/**
 * Turns a replica seen by the {@link SwitchboardDiscoveryClient} into a Spring Boot Admin registration: the
 * management and health URLs come from the actuator URL the replica registered ({@code management.url}), not from its
 * gRPC host and port, which is what the discovered instance's own URI names. The replica's instance id and gRPC
 * address travel in the metadata, so Spring Boot Admin can name the instance after it
 * ({@link ReplicaInstanceIdGenerator}).
 */
public final class ReplicaInstanceConverter implements ServiceInstanceConverter {

	/** Metadata key of the replica's Switchboard instance id. */
	public static final String INSTANCE_ID = "switchboard.instance-id";

	/** Metadata key of the replica's gRPC address, {@code host:port}. */
	public static final String GRPC_ADDRESS = "switchboard.grpc-address";

	/** Whether the replica registered a management URL: whether it has an actuator to monitor. */
	public static boolean hasManagementUrl(ServiceInstance instance) {
		return StringUtils.hasText(instance.getMetadata().get(SwitchboardDiscoveryClient.MANAGEMENT_URL));
	}

	/**
	 * @throws IllegalArgumentException when the replica registered no management URL, so there is nothing to monitor
	 * ({@link ActuatorOnlyDiscoveryListener} does not ask)
	 */
	@Override
	public Registration convert(ServiceInstance instance) {
		String managementUrl = instance.getMetadata().get(SwitchboardDiscoveryClient.MANAGEMENT_URL);
		if (!StringUtils.hasText(managementUrl)) {
			throw new IllegalArgumentException("replica '" + instance.getInstanceId() + "' of group '"
					+ instance.getServiceId() + "' registered no management URL");
		}
		URI management = URI.create(withoutTrailingSlash(managementUrl));
		Map<String, String> metadata = new LinkedHashMap<>(instance.getMetadata());
		metadata.put(INSTANCE_ID, instance.getInstanceId());
		metadata.put(GRPC_ADDRESS, instance.getHost() + ":" + instance.getPort());
		return Registration.create(instance.getServiceId(), management + "/health")
			.managementUrl(management.toString())
			.serviceUrl(management.getScheme() + "://" + management.getRawAuthority() + "/")
			.metadata(metadata)
			.build();
	}

	private static String withoutTrailingSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

}
