package dev.switchboard.dashboard.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.google.protobuf.Timestamp;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;

/**
 * One replica as the platform view shows it.
 *
 * @param instanceId its unique id, also its Spring Boot Admin instance id
 * @param group the service group it belongs to
 * @param status the effective status: OUT_OF_SERVICE while forced, DOWN while its heartbeat stream is broken
 * @param reportedStatus what the replica itself last reported
 * @param forcedOutOfService whether an admin forced it OUT_OF_SERVICE
 * @param leaseAgeMillis time since the lease was last renewed, or {@code null} when the registry did not say
 * @param inFlight calls in flight on the replica, as last reported
 * @param callsPerSecond calls per second it completed between its last two heartbeats
 * @param zone its availability zone, empty when none
 * @param address its gRPC address, {@code host:port}
 * @param managementUrl its actuator base URL, empty when none
 * @param services full names of the gRPC services it serves
 * @param registeredAt when it registered, or {@code null}
 */
public record PlatformReplica(String instanceId, String group, InstanceStatus status, InstanceStatus reportedStatus,
		boolean forcedOutOfService, Long leaseAgeMillis, int inFlight, double callsPerSecond, String zone,
		String address, String managementUrl, List<String> services, Instant registeredAt) {

	public PlatformReplica {
		services = List.copyOf(services);
	}

	/** The replica as the registry describes it, with its lease age as of {@code now}. */
	public static PlatformReplica of(Instance instance, Instant now) {
		Long leaseAge = instance.hasRenewedAt()
				? Math.max(0, Duration.between(instant(instance.getRenewedAt()), now).toMillis()) : null;
		return new PlatformReplica(instance.getInstanceId(), instance.getGroup(), instance.getStatus(),
				instance.getReportedStatus(), instance.getForcedOutOfService(), leaseAge, instance.getInFlight(),
				instance.getCallsPerSecond(), instance.getZone(), instance.getHost() + ":" + instance.getPort(),
				instance.getManagementUrl(), instance.getServicesList(),
				instance.hasRegisteredAt() ? instant(instance.getRegisteredAt()) : null);
	}

	private static Instant instant(Timestamp timestamp) {
		return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
	}

}
