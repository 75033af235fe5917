package dev.switchboard.dashboard.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.RegistryGrpc.RegistryBlockingStub;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The registry as the dashboard reads and administers it: every group with its replicas' leases and load
 * (ListGroups, then GetGroup per group, which needs the {@code discover} grant) and the OUT_OF_SERVICE switch
 * (SetOutOfService, which needs {@code admin}). Calls carry whatever credentials the channels add, in the dashboard
 * the admin client's token. Each operation goes over the one channel to every registry replica, which keeps to a
 * reachable replica and moves on when it fails ({@link RegistryChannels}): {@code UNAVAILABLE} means none was
 * reachable. Refusals are thrown as the registry's {@link StatusRuntimeException}.
 * <p>
 * Thread-safe. Each method blocks, for at most {@code timeout}.
 */
public final class PlatformRegistry {

	private final RegistryChannels channels;

	private final Duration timeout;

	private final Clock clock;

	/**
	 * @param channels the channel over the registry replicas
	 * @param timeout the deadline of one operation
	 * @param clock tells lease ages
	 */
	public PlatformRegistry(RegistryChannels channels, Duration timeout, Clock clock) {
		this.channels = Objects.requireNonNull(channels, "channels");
		this.timeout = Objects.requireNonNull(timeout, "timeout");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Returns every group, by name, with its replicas by instance id. */
	public List<PlatformGroup> groups() {
		return call((registry) -> {
			List<GroupSummary> summaries = registry.listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList();
			List<PlatformGroup> groups = new ArrayList<>(summaries.size());
			for (GroupSummary summary : summaries) {
				try {
					groups.add(PlatformGroup.of(registry.getGroup(GetGroupRequest.newBuilder()
						.setName(summary.getName())
						.build()), now()));
				}
				catch (StatusRuntimeException ex) {
					if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
						throw ex;
					}
					// its last replica left between the two calls
				}
			}
			groups.sort(Comparator.comparing(PlatformGroup::name));
			return groups;
		});
	}

	/**
	 * Forces the replica OUT_OF_SERVICE, or clears that, and returns it as the registry now describes it.
	 * @throws StatusRuntimeException {@code NOT_FOUND} for an unknown instance, {@code PERMISSION_DENIED} without the
	 * admin grant, and so on, as the registry answered
	 */
	public PlatformReplica setOutOfService(String instanceId, boolean outOfService) {
		Objects.requireNonNull(instanceId, "instanceId");
		return call((registry) -> PlatformReplica.of(registry.setOutOfService(SetOutOfServiceRequest.newBuilder()
			.setInstanceId(instanceId)
			.setOutOfService(outOfService)
			.build()), now()));
	}

	private Instant now() {
		return this.clock.instant();
	}

	private <T> T call(Function<RegistryBlockingStub, T> operation) {
		return operation.apply(RegistryGrpc.newBlockingStub(this.channels.channel())
			.withDeadlineAfter(this.timeout.toMillis(), TimeUnit.MILLISECONDS));
	}

}
