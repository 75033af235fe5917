package dev.switchboard.dashboard.discovery;

import de.codecentric.boot.admin.server.domain.values.InstanceId;
import de.codecentric.boot.admin.server.domain.values.Registration;
import de.codecentric.boot.admin.server.services.HashingInstanceUrlIdGenerator;
import de.codecentric.boot.admin.server.services.InstanceIdGenerator;

import org.springframework.util.StringUtils;

/**
 * Names a Spring Boot Admin instance after the replica's Switchboard instance id, so the platform view links to
 * {@code /instances/<instance id>/...} and a replica that restarts on another port stays the same instance. A
 * registration without that id (not from discovery) gets Spring Boot Admin's usual hash of its health URL.
 */
public final class ReplicaInstanceIdGenerator implements InstanceIdGenerator {

	private final InstanceIdGenerator fallback = new HashingInstanceUrlIdGenerator();

	@Override
	public InstanceId generateId(Registration registration) {
		String instanceId = registration.getMetadata().get(ReplicaInstanceConverter.INSTANCE_ID);
		return StringUtils.hasText(instanceId) ? InstanceId.of(instanceId) : this.fallback.generateId(registration);
	}

}
