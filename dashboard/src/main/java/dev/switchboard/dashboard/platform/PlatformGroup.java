package dev.switchboard.dashboard.platform;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import dev.switchboard.registry.v1.Group;
import dev.switchboard.registry.v1.InstanceStatus;

/**
 * One service group as the platform view shows it.
 *
 * @param name the group's name
 * @param services full names of the gRPC services the group owns
 * @param up how many of its replicas are UP
 * @param replicas its replicas, by instance id
 */
public record PlatformGroup(String name, List<String> services, int up, List<PlatformReplica> replicas) {

	public PlatformGroup {
		services = List.copyOf(services);
		replicas = List.copyOf(replicas);
	}

	/** The group as the registry describes it, with lease ages as of {@code now}. */
	public static PlatformGroup of(Group group, Instant now) {
		List<PlatformReplica> replicas = group.getInstancesList()
			.stream()
			.map((instance) -> PlatformReplica.of(instance, now))
			.sorted(Comparator.comparing(PlatformReplica::instanceId))
			.toList();
		int up = (int) replicas.stream().filter((replica) -> replica.status() == InstanceStatus.UP).count();
		return new PlatformGroup(group.getName(), group.getServicesList(), up, replicas);
	}

}
