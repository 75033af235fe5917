package dev.switchboard.router;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;

/** Registry instances for router tests. */
public final class Instances {

	private Instances() {
	}

	public static Instance instance(String group, String id, InstanceStatus status, String... services) {
		return Instance.newBuilder()
			.setGroup(group)
			.setInstanceId(id)
			.setHost(id)
			.setPort(1)
			.setWeight(100)
			.setStatus(status)
			.addAllServices(java.util.List.of(services))
			.build();
	}

}
