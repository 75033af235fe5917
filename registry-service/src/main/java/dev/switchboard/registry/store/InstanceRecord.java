package dev.switchboard.registry.store;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.protobuf.Timestamp;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;

/**
 * One registered instance as the registry stores it. Immutable; changes make copies.
 *
 * @param group the service group
 * @param instanceId unique across the platform
 * @param host the address callers connect to
 * @param port the gRPC port
 * @param services full names of the gRPC services it serves
 * @param managementUrl the actuator base URL, may be empty
 * @param zone the availability zone, may be empty
 * @param weight the relative share of calls it should get
 * @param metadata free-form key/values
 * @param reported the status the instance last reported
 * @param forcedOutOfService whether an admin forced it out of service
 * @param streamBroken whether its last heartbeat stream broke and no other took over
 * @param streamId the heartbeat stream that last renewed it, empty before the first
 * @param inFlight calls in flight on it, as last reported
 * @param registeredAtMillis when it first registered
 * @param owner the client whose token registered it, empty when registrations are not authorized
 */
public record InstanceRecord(String group, String instanceId, String host, int port, List<String> services,
		String managementUrl, String zone, int weight, Map<String, String> metadata, InstanceStatus reported,
		boolean forcedOutOfService, boolean streamBroken, String streamId, int inFlight, long registeredAtMillis,
		String owner) implements Serializable {

	/** The weight of an instance that does not state one. */
	public static final int DEFAULT_WEIGHT = 100;

	public InstanceRecord {
		Objects.requireNonNull(group, "group");
		Objects.requireNonNull(instanceId, "instanceId");
		services = List.copyOf(services);
		metadata = Map.copyOf(metadata);
		Objects.requireNonNull(reported, "reported");
		Objects.requireNonNull(owner, "owner");
	}

	/** Creates the record a registration asks for, as first seen at {@code nowMillis}. */
	public static InstanceRecord of(RegisterRequest request, long nowMillis) {
		InstanceStatus status = (request.getStatus() == InstanceStatus.INSTANCE_STATUS_UNSPECIFIED)
				? InstanceStatus.STARTING : request.getStatus();
		int weight = (request.getWeight() == 0) ? DEFAULT_WEIGHT : request.getWeight();
		return new InstanceRecord(request.getGroup(), request.getInstanceId(), request.getHost(), request.getPort(),
				request.getServicesList(), request.getManagementUrl(), request.getZone(), weight,
				request.getMetadataMap(), status, false, false, "", 0, nowMillis, "");
	}

	/**
	 * The status routers act on: {@code OUT_OF_SERVICE} while forced, {@code DOWN} while the heartbeat stream is
	 * broken, else what the instance reported.
	 */
	public InstanceStatus status() {
		if (this.forcedOutOfService) {
			return InstanceStatus.OUT_OF_SERVICE;
		}
		return this.streamBroken ? InstanceStatus.DOWN : this.reported;
	}

	/** Returns this registration updated by a newer one of the same instance; admin and lease state are kept. */
	public InstanceRecord updatedBy(InstanceRecord newer) {
		return new InstanceRecord(newer.group, this.instanceId, newer.host, newer.port, newer.services,
				newer.managementUrl, newer.zone, newer.weight, newer.metadata, newer.reported, this.forcedOutOfService,
				this.streamBroken, this.streamId, this.inFlight, this.registeredAtMillis,
				this.owner.isEmpty() ? newer.owner : this.owner);
	}

	/** Returns a copy renewed by heartbeat stream {@code streamId} with the reported status and load. */
	public InstanceRecord withHeartbeat(String streamId, InstanceStatus reported, int inFlight) {
		return new InstanceRecord(this.group, this.instanceId, this.host, this.port, this.services,
				this.managementUrl, this.zone, this.weight, this.metadata, reported, this.forcedOutOfService, false,
				streamId, inFlight, this.registeredAtMillis, this.owner);
	}

	/** Returns a copy marked as having lost its heartbeat stream. */
	public InstanceRecord withStreamBroken() {
		return new InstanceRecord(this.group, this.instanceId, this.host, this.port, this.services,
				this.managementUrl, this.zone, this.weight, this.metadata, this.reported, this.forcedOutOfService,
				true, this.streamId, this.inFlight, this.registeredAtMillis, this.owner);
	}

	/** Returns a copy with the admin's out-of-service override set or cleared. */
	public InstanceRecord withForcedOutOfService(boolean forced) {
		return new InstanceRecord(this.group, this.instanceId, this.host, this.port, this.services,
				this.managementUrl, this.zone, this.weight, this.metadata, this.reported, forced, this.streamBroken,
				this.streamId, this.inFlight, this.registeredAtMillis, this.owner);
	}

	/**
	 * Whether client {@code principal} may act on this instance: the client that registered it, or anyone when
	 * registrations are not authorized ({@code principal} is {@code null}) or nobody owns it.
	 */
	public boolean mayBeChangedBy(String principal) {
		return principal == null || this.owner.isEmpty() || this.owner.equals(principal);
	}

	/** Returns a copy registered by client {@code owner}. */
	public InstanceRecord ownedBy(String owner) {
		return new InstanceRecord(this.group, this.instanceId, this.host, this.port, this.services,
				this.managementUrl, this.zone, this.weight, this.metadata, this.reported, this.forcedOutOfService,
				this.streamBroken, this.streamId, this.inFlight, this.registeredAtMillis, owner);
	}

	/**
	 * Returns roughly how many bytes the registration holds: the characters of its names, services, URL, zone and
	 * metadata. What a client's byte quota counts.
	 */
	public int footprint() {
		int chars = this.group.length() + this.instanceId.length() + this.host.length() + this.managementUrl.length()
				+ this.zone.length();
		for (String service : this.services) {
			chars += service.length();
		}
		for (Map.Entry<String, String> entry : this.metadata.entrySet()) {
			chars += entry.getKey().length() + entry.getValue().length();
		}
		return chars;
	}

	/** Returns the wire form. */
	public Instance toProto() {
		return Instance.newBuilder()
			.setGroup(this.group)
			.setInstanceId(this.instanceId)
			.setHost(this.host)
			.setPort(this.port)
			.addAllServices(this.services)
			.setManagementUrl(this.managementUrl)
			.setZone(this.zone)
			.setWeight(this.weight)
			.putAllMetadata(this.metadata)
			.setStatus(status())
			.setReportedStatus(this.reported)
			.setForcedOutOfService(this.forcedOutOfService)
			.setInFlight(this.inFlight)
			.setRegisteredAt(Timestamp.newBuilder()
				.setSeconds(this.registeredAtMillis / 1000)
				.setNanos((int) (this.registeredAtMillis % 1000) * 1_000_000))
			.build();
	}

}
