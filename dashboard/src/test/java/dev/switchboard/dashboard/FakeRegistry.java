package dev.switchboard.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.google.protobuf.Timestamp;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Group;
import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.ListGroupsResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.Snapshot;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * A registry for tests: the instances it is given, the read calls and SetOutOfService as the real one answers them,
 * a Watch stream that sends one snapshot and stays open, and refusals queued with {@link #failNext(Status)}.
 */
public final class FakeRegistry extends RegistryGrpc.RegistryImplBase {

	private final Map<String, Instance> instances = new ConcurrentHashMap<>();

	private final Queue<Status> failures = new ConcurrentLinkedQueue<>();

	private final Queue<String> calls = new ConcurrentLinkedQueue<>();

	private volatile String vanishing;

	/** Adds (or replaces) an instance. */
	public FakeRegistry add(Instance instance) {
		this.instances.put(instance.getInstanceId(), instance);
		return this;
	}

	/** Removes every instance of {@code group} right after the next ListGroups answer named it. */
	public void vanishAfterListing(String group) {
		this.vanishing = group;
	}

	/** Makes the next call (any method) fail with {@code status}. */
	public void failNext(Status status) {
		this.failures.add(status);
	}

	public Instance instance(String instanceId) {
		return this.instances.get(instanceId);
	}

	/** Returns the names of the methods called so far, in order. */
	public List<String> calls() {
		return List.copyOf(this.calls);
	}

	/** An UP replica with a management URL, a lease renewed at {@code renewedAt} and some load. */
	public static Instance replica(String group, String instanceId, int port, Timestamp renewedAt) {
		return Instance.newBuilder()
			.setGroup(group)
			.setInstanceId(instanceId)
			.setHost("127.0.0.1")
			.setPort(port)
			.addServices("test.v1." + Character.toUpperCase(group.charAt(0)) + group.substring(1))
			.setManagementUrl("http://127.0.0.1:" + (port + 1000) + "/actuator")
			.setZone("zone-a")
			.setWeight(100)
			.setStatus(InstanceStatus.UP)
			.setReportedStatus(InstanceStatus.UP)
			.setInFlight(3)
			.setCallsPerSecond(12.5)
			.setRegisteredAt(renewedAt)
			.setRenewedAt(renewedAt)
			.build();
	}

	@Override
	public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> responses) {
		if (refused("ListGroups", responses)) {
			return;
		}
		Map<String, List<Instance>> groups = byGroup();
		ListGroupsResponse.Builder answer = ListGroupsResponse.newBuilder();
		groups.forEach((name, members) -> answer.addGroups(GroupSummary.newBuilder()
			.setName(name)
			.addAllServices(members.get(0).getServicesList())
			.setInstances(members.size())
			.setUp((int) members.stream().filter((member) -> member.getStatus() == InstanceStatus.UP).count())));
		responses.onNext(answer.build());
		responses.onCompleted();
		String vanished = this.vanishing;
		if (vanished != null) {
			this.vanishing = null;
			this.instances.values().removeIf((instance) -> instance.getGroup().equals(vanished));
		}
	}

	@Override
	public void getGroup(GetGroupRequest request, StreamObserver<Group> responses) {
		if (refused("GetGroup", responses)) {
			return;
		}
		List<Instance> members = byGroup().get(request.getName());
		if (members == null) {
			responses.onError(Status.NOT_FOUND.withDescription("group '" + request.getName() + "' has no instance")
				.asRuntimeException());
			return;
		}
		responses.onNext(Group.newBuilder()
			.setName(request.getName())
			.addAllServices(members.get(0).getServicesList())
			.addAllInstances(members)
			.build());
		responses.onCompleted();
	}

	@Override
	public void setOutOfService(SetOutOfServiceRequest request, StreamObserver<Instance> responses) {
		if (refused("SetOutOfService", responses)) {
			return;
		}
		Instance instance = this.instances.computeIfPresent(request.getInstanceId(),
				(id, current) -> current.toBuilder()
					.setForcedOutOfService(request.getOutOfService())
					.setStatus(request.getOutOfService() ? InstanceStatus.OUT_OF_SERVICE : current.getReportedStatus())
					.build());
		if (instance == null) {
			responses.onError(Status.NOT_FOUND
				.withDescription("instance '" + request.getInstanceId() + "' is not registered")
				.asRuntimeException());
			return;
		}
		responses.onNext(instance);
		responses.onCompleted();
	}

	@Override
	public void watch(WatchRequest request, StreamObserver<WatchEvent> events) {
		if (refused("Watch", events)) {
			return;
		}
		events.onNext(WatchEvent.newBuilder()
			.setRevision(1)
			.setSnapshot(Snapshot.newBuilder().addAllInstances(this.instances.values()))
			.build());
		// stays open, as the real stream does until the registry goes away
	}

	private boolean refused(String method, StreamObserver<?> responses) {
		this.calls.add(method);
		Status failure = this.failures.poll();
		if (failure != null) {
			responses.onError(failure.asRuntimeException());
			return true;
		}
		return false;
	}

	private Map<String, List<Instance>> byGroup() {
		Map<String, List<Instance>> groups = new TreeMap<>();
		for (Instance instance : this.instances.values()) {
			groups.computeIfAbsent(instance.getGroup(), (name) -> new ArrayList<>()).add(instance);
		}
		return groups;
	}

}
