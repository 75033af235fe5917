package dev.switchboard.component.registration;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;

import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * What this replica registers: its group (the Spring Cloud service id), instance id, gRPC address and the gRPC
 * services its server actually runs. Immutable.
 */
public final class ComponentRegistration implements Registration {

	private final String group;

	private final String instanceId;

	private final String host;

	private final int port;

	private final List<String> services;

	private final String managementUrl;

	private final String zone;

	private final int weight;

	private final Map<String, String> metadata;

	public ComponentRegistration(String group, String instanceId, String host, int port, List<String> services,
			String managementUrl, String zone, int weight, Map<String, String> metadata) {
		this.group = Objects.requireNonNull(group, "group");
		this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
		this.host = Objects.requireNonNull(host, "host");
		this.port = port;
		this.services = List.copyOf(services);
		this.managementUrl = (managementUrl != null) ? managementUrl : "";
		this.zone = (zone != null) ? zone : "";
		this.weight = weight;
		this.metadata = Map.copyOf(metadata);
	}

	@Override
	public String getServiceId() {
		return this.group;
	}

	@Override
	public String getInstanceId() {
		return this.instanceId;
	}

	@Override
	public String getHost() {
		return this.host;
	}

	@Override
	public int getPort() {
		return this.port;
	}

	@Override
	public boolean isSecure() {
		return false;
	}

	@Override
	public URI getUri() {
		return URI.create("http://" + this.host + ":" + this.port);
	}

	@Override
	public String getScheme() {
		return "grpc";
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.metadata;
	}

	/** Returns the full names of the gRPC services registered. */
	public List<String> getServices() {
		return this.services;
	}

	/** Returns the actuator base URL, or an empty string. */
	public String getManagementUrl() {
		return this.managementUrl;
	}

	/** Returns the Register request for this registration with the given status. */
	public RegisterRequest toRequest(InstanceStatus status) {
		return RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(this.instanceId)
			.setHost(this.host)
			.setPort(this.port)
			.addAllServices(this.services)
			.setManagementUrl(this.managementUrl)
			.setZone(this.zone)
			.setWeight(this.weight)
			.putAllMetadata(this.metadata)
			.setStatus(status)
			.build();
	}

	@Override
	public String toString() {
		return this.group + "/" + this.instanceId + " at " + this.host + ":" + this.port + " serving " + this.services;
	}

}
