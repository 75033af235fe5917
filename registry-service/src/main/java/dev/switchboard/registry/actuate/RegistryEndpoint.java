package dev.switchboard.registry.actuate;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.switchboard.registry.lease.HeldLeases;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.watch.WatchHub;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code registry} actuator endpoint: every group and instance with status and lease age, read from the whole
 * cluster; a write operation forces an instance out of service or clears that.
 */
@Endpoint(id = "registry")
public final class RegistryEndpoint {

	private final InstanceStore store;

	private final WatchHub hub;

	private final HeldLeases held;

	public RegistryEndpoint(InstanceStore store, WatchHub hub, HeldLeases held) {
		this.store = store;
		this.hub = hub;
		this.held = held;
	}

	@ReadOperation
	public RegistryDescriptor registry() {
		long now = System.currentTimeMillis();
		Map<String, Long> renewals = this.held.renewals();
		Map<String, Double> rates = this.store.callRates();
		Map<String, List<InstanceDescriptor>> groups = new TreeMap<>();
		this.store.all()
			.stream()
			.sorted(Comparator.comparing(InstanceRecord::instanceId))
			.forEach((record) -> groups.computeIfAbsent(record.group(), (name) -> new java.util.ArrayList<>())
				.add(InstanceDescriptor.of(record, renewals.get(record.instanceId()),
						rates.getOrDefault(record.instanceId(), 0.0), now)));
		return new RegistryDescriptor(groups, new TreeMap<>(this.store.serviceOwners()), this.hub.watchers());
	}

	@WriteOperation
	public InstanceDescriptor outOfService(@Selector String instanceId, boolean outOfService) {
		InstanceRecord record = this.store.setOutOfService(instanceId, outOfService);
		Set<String> one = Set.of(instanceId);
		return InstanceDescriptor.of(record, this.held.renewals(one).get(instanceId),
				this.store.callRates(one).getOrDefault(instanceId, 0.0), System.currentTimeMillis());
	}

	/**
	 * @param groups instances by group
	 * @param serviceOwners the group that owns each gRPC service
	 * @param watchers Watch streams open on this replica
	 */
	public record RegistryDescriptor(Map<String, List<InstanceDescriptor>> groups, Map<String, String> serviceOwners,
			int watchers) implements OperationResponseBody {
	}

	/**
	 * One instance as an operator reads it.
	 */
	public record InstanceDescriptor(String instanceId, String host, int port, List<String> services,
			InstanceStatus status, InstanceStatus reportedStatus, boolean forcedOutOfService, int inFlight,
			double callsPerSecond, int weight, String zone, String managementUrl, Map<String, String> metadata, Long leaseAgeMillis,
			long registeredAtMillis) implements OperationResponseBody {

		static InstanceDescriptor of(InstanceRecord record, Long renewedAtMillis, double callsPerSecond,
				long nowMillis) {
			Instance proto = record.toProto();
			return new InstanceDescriptor(record.instanceId(), record.host(), record.port(), record.services(),
					proto.getStatus(), record.reported(), record.forcedOutOfService(), record.inFlight(),
					callsPerSecond, record.weight(), record.zone(), record.managementUrl(), new TreeMap<>(record.metadata()),
					(renewedAtMillis != null) ? Math.max(0, nowMillis - renewedAtMillis) : null, record.registeredAtMillis());
		}

	}

}
