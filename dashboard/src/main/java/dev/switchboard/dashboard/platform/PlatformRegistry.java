package dev.switchboard.dashboard.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * the admin client's token. Each operation goes to the registry replica that answered last and moves to the next one
 * while a replica is unreachable; any other refusal is thrown as the registry's {@link StatusRuntimeException}.
 * <p>
 * Thread-safe. Each method blocks, for at most one {@code timeout} per registry replica.
 */
public final class PlatformRegistry {

	/** Codes that say this replica could not answer, so the next one may. */
	private static final Set<Status.Code> FAILOVER = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

	private final RegistryChannels channels;

	private final Duration timeout;

	private final Clock clock;

	private final AtomicInteger current = new AtomicInteger();

	/**
	 * @param channels the registry replicas
	 * @param timeout the deadline of one operation on one replica
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
		int first = this.current.get();
		StatusRuntimeException last = null;
		for (int attempt = 0; attempt < this.channels.size(); attempt++) {
			int index = first + attempt;
			RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(this.channels.channel(index))
				.withDeadlineAfter(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			try {
				T result = operation.apply(registry);
				this.current.set(Math.floorMod(index, this.channels.size()));
				return result;
			}
			catch (StatusRuntimeException ex) {
				if (!FAILOVER.contains(ex.getStatus().getCode())) {
					throw ex;
				}
				last = ex;
			}
		}
		throw last;
	}

}
