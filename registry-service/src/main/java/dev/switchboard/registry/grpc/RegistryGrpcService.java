package dev.switchboard.registry.grpc;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.google.protobuf.Timestamp;
import com.hazelcast.core.HazelcastOverloadException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.spi.exception.RetryableException;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.registry.lease.HeldLeases;
import dev.switchboard.registry.load.CallRateSampler;
import dev.switchboard.registry.quota.ClientQuotas;
import dev.switchboard.registry.security.RegistryAuthorization;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.DeregisterRequest;
import dev.switchboard.registry.v1.DeregisterResponse;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.Group;
import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.Lease;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.ListGroupsResponse;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegisterResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import dev.switchboard.registry.watch.WatchHub;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code switchboard.registry.v1.Registry} service.
 * <p>
 * Every write request (Register, each Heartbeat message, Deregister) names its group in the message itself, so an
 * authorization interceptor can check {@code register:<group>} before this class sees the call. Refusals are thrown
 * as {@link RefusalException} and mapped to statuses by {@link ServiceExceptionHandler}. Reads answer from this
 * replica's Watch view.
 */
public final class RegistryGrpcService extends RegistryGrpc.RegistryImplBase {

	/** The largest reply sent: gRPC's default 4 MiB message limit, less room for framing. */
	static final int MAX_REPLY_BYTES = 4 * 1024 * 1024 - 64 * 1024;

	private final InstanceStore store;

	private final WatchHub hub;

	private final HeldLeases leases;

	private final ClientQuotas quotas;

	private final Lease lease;

	/** Every heartbeat answer there can be, built once: by status number, then whether forced out of service. */
	private final HeartbeatResponse[][] heartbeatAnswers;

	private final ServiceExceptionHandler exceptions;

	private final Counter registrations;

	private final Counter heartbeats;

	private final Counter deregistrations;

	/**
	 * @param hub this replica's view, which answers heartbeats that change nothing
	 * @param leases the leases of the instances whose streams this replica holds, renewed by their heartbeats
	 * @param quotas what each client may hold; registrations are counted against the token's principal
	 */
	public RegistryGrpcService(InstanceStore store, WatchHub hub, HeldLeases leases, ClientQuotas quotas,
			Duration heartbeatInterval, Duration ttl, ServiceExceptionHandler exceptions, MeterRegistry meters) {
		this.store = Objects.requireNonNull(store, "store");
		this.hub = Objects.requireNonNull(hub, "hub");
		this.leases = Objects.requireNonNull(leases, "leases");
		this.quotas = Objects.requireNonNull(quotas, "quotas");
		this.lease = Lease.newBuilder()
			.setHeartbeatIntervalMillis(heartbeatInterval.toMillis())
			.setTtlMillis(ttl.toMillis())
			.build();
		this.heartbeatAnswers = new HeartbeatResponse[InstanceStatus.values().length][2];
		for (InstanceStatus status : InstanceStatus.values()) {
			if (status != InstanceStatus.UNRECOGNIZED) {
				for (boolean forced : new boolean[] { false, true }) {
					this.heartbeatAnswers[status.getNumber()][forced ? 1 : 0] = HeartbeatResponse.newBuilder()
						.setLease(this.lease)
						.setStatus(status)
						.setForcedOutOfService(forced)
						.build();
				}
			}
		}
		this.exceptions = Objects.requireNonNull(exceptions, "exceptions");
		this.registrations = Counter.builder("switchboard.registry.registrations")
			.description("Register calls accepted")
			.register(meters);
		this.heartbeats = Counter.builder("switchboard.registry.heartbeats")
			.description("Heartbeats received")
			.register(meters);
		this.deregistrations = Counter.builder("switchboard.registry.deregistrations")
			.description("Deregister calls accepted")
			.register(meters);
	}

	@Override
	public void register(RegisterRequest request, StreamObserver<RegisterResponse> responses) {
		answer(responses, () -> {
			RegistrationValidator.validate(request);
			String principal = RegistryAuthorization.PRINCIPAL.get();
			InstanceRecord candidate = InstanceRecord.of(request, System.currentTimeMillis());
			if (principal != null) {
				candidate = candidate.ownedBy(principal);
				this.quotas.check(candidate);
			}
			InstanceRecord stored = this.store.register(candidate, principal);
			this.registrations.increment();
			return RegisterResponse.newBuilder().setInstance(stored.toProto()).setLease(this.lease).build();
		});
	}

	@Override
	public StreamObserver<HeartbeatRequest> heartbeat(StreamObserver<HeartbeatResponse> responses) {
		return new HeartbeatStream((ServerCallStreamObserver<HeartbeatResponse>) responses);
	}

	@Override
	public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> responses) {
		answer(responses, () -> {
			RegistrationValidator.group(request.getGroup());
			RegistrationValidator.instanceId(request.getInstanceId());
			this.store.deregister(request.getGroup(), request.getInstanceId(), RegistryAuthorization.PRINCIPAL.get());
			this.leases.forget(request.getInstanceId());
			this.deregistrations.increment();
			return DeregisterResponse.getDefaultInstance();
		});
	}

	@Override
	public void setOutOfService(SetOutOfServiceRequest request, StreamObserver<Instance> responses) {
		answer(responses, () -> {
			RegistrationValidator.instanceId(request.getInstanceId());
			return this.store.setOutOfService(request.getInstanceId(), request.getOutOfService()).toProto();
		});
	}

	@Override
	public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> responses) {
		answer(responses, this::listGroups);
	}

	private ListGroupsResponse listGroups() {
		Map<String, GroupSummary.Builder> groups = new TreeMap<>();
		Map<String, Set<String>> services = new TreeMap<>();
		for (Instance instance : this.hub.instances()) {
			GroupSummary.Builder summary = groups.computeIfAbsent(instance.getGroup(),
					(name) -> GroupSummary.newBuilder().setName(name));
			summary.setInstances(summary.getInstances() + 1);
			if (instance.getStatus() == InstanceStatus.UP) {
				summary.setUp(summary.getUp() + 1);
			}
			services.computeIfAbsent(instance.getGroup(), (name) -> new TreeSet<>())
				.addAll(instance.getServicesList());
		}
		ListGroupsResponse.Builder response = ListGroupsResponse.newBuilder();
		groups.forEach((name, summary) -> response.addGroups(summary.addAllServices(services.get(name))));
		return response.build();
	}

	@Override
	public void getGroup(GetGroupRequest request, StreamObserver<Group> responses) {
		answer(responses, () -> getGroup(request));
	}

	private Group getGroup(GetGroupRequest request) {
		RegistrationValidator.group(request.getName());
		List<Instance> instances = this.hub.instances()
			.stream()
			.filter((instance) -> instance.getGroup().equals(request.getName()))
			.sorted(java.util.Comparator.comparing(Instance::getInstanceId))
			.toList();
		if (instances.isEmpty()) {
			throw RefusalException.notFound("group '" + request.getName() + "' has no registered instance");
		}
		Set<String> services = new TreeSet<>();
		instances.forEach((instance) -> services.addAll(instance.getServicesList()));
		// rates and renewals change with every heartbeat, so they are read now rather than carried by Watch events
		Set<String> ids = new HashSet<>();
		instances.forEach((instance) -> ids.add(instance.getInstanceId()));
		Map<String, Double> rates = this.store.callRates(ids);
		Map<String, Long> renewals = this.leases.renewals(ids);
		Group.Builder group = Group.newBuilder().setName(request.getName()).addAllServices(services);
		for (Instance instance : instances) {
			Instance.Builder live = instance.toBuilder()
				.setCallsPerSecond(rates.getOrDefault(instance.getInstanceId(), 0.0));
			Long renewed = renewals.get(instance.getInstanceId());
			if (renewed != null) {
				live.setRenewedAt(Timestamp.newBuilder()
					.setSeconds(renewed / 1000)
					.setNanos((int) (renewed % 1000) * 1_000_000));
			}
			group.addInstances(live);
		}
		Group built = group.build();
		if (built.getSerializedSize() > MAX_REPLY_BYTES) {
			// gRPC's default message limit would make the caller fail with a transport error instead
			throw RefusalException.resourceExhausted("group '" + request.getName() + "' is "
					+ built.getSerializedSize() / 1024 + " KiB, more than one reply holds; read it with Watch");
		}
		return built;
	}

	@Override
	public void watch(WatchRequest request, StreamObserver<WatchEvent> responses) {
		try {
			request.getGroupsList().forEach(RegistrationValidator::group);
			this.hub.subscribe(RegistryAuthorization.PRINCIPAL.get(), new HashSet<>(request.getGroupsList()),
					(ServerCallStreamObserver<WatchEvent>) responses);
		}
		catch (RuntimeException ex) {
			responses.onError(this.exceptions.toStatus(ex).asRuntimeException());
		}
	}

	/** Sends the one answer of a unary call, or the status its failure maps to. */
	private <T> void answer(StreamObserver<T> responses, Supplier<T> call) {
		this.exceptions.reply(responses, call);
	}

	/**
	 * One instance's heartbeat stream. It asks gRPC for one message at a time, and for the next only once the last
	 * is answered, so a registry that falls behind (a cluster write still under way) slows the stream by HTTP/2 flow
	 * control rather than queueing without bound or holding a thread. The first message binds the stream to an
	 * instance, writes it to the record and makes this replica the holder of its lease ({@link HeldLeases}); after
	 * that, a heartbeat that changes nothing the record holds (status, load) is answered from this replica's view and
	 * renews the lease in this replica's memory: no cluster call, no Watch event. A beat for an instance the view knows
	 * renews its lease before any cluster call, so a slow or passing cluster error never costs it the lease. Answers
	 * the client does not read yet are coalesced into the latest. When the stream ends, its lease goes back to the
	 * cluster; when it breaks, the instance is also marked DOWN, unless a newer stream took over.
	 * <p>
	 * gRPC calls the observer methods one at a time; a cluster write completes on a Hazelcast thread, so what it
	 * touches is guarded by the stream's monitor.
	 */
	private final class HeartbeatStream implements StreamObserver<HeartbeatRequest> {

		private final String streamId = InstanceStore.newStreamId();

		private final ServerCallStreamObserver<HeartbeatResponse> responses;

		private final CallRateSampler callRate = new CallRateSampler();

		private String group;

		private String instanceId;

		/** Whether this stream's heartbeat has been written to the record, binding the stream to it. */
		private boolean applied;

		/** This stream's hold on the instance's lease, from its first beat the instance is known on. */
		private HeldLeases.Hold hold;

		private boolean ended;

		/** The latest answer not sent because the client was not reading. */
		private HeartbeatResponse owed;

		HeartbeatStream(ServerCallStreamObserver<HeartbeatResponse> responses) {
			this.responses = responses;
			responses.disableAutoRequest();
			responses.setOnReadyHandler(this::sendOwed);
			responses.request(1);
		}

		@Override
		public synchronized void onNext(HeartbeatRequest request) {
			if (this.ended) {
				return;
			}
			try {
				bind(request);
				RegistrationValidator.status(request.getStatus());
				InstanceStatus reported = (request.getStatus() == InstanceStatus.INSTANCE_STATUS_UNSPECIFIED)
						? InstanceStatus.UP : request.getStatus();
				int inFlight = Math.max(0, request.getInFlight());
				Instance known = RegistryGrpcService.this.hub.find(this.instanceId);
				boolean renewed = known != null && known.getGroup().equals(this.group);
				if (renewed) {
					// the lease is renewed when the beat is read, whatever the cluster then takes or answers: a stream
					// just moved here from a lost replica waits on partitions still being promoted, and its lease
					// must not run out meanwhile
					renew();
				}
				if (this.applied && unchanged(known, reported, inFlight)) {
					reply(request, known.getStatus(), known.getForcedOutOfService());
					return;
				}
				// a change, the stream's first beat, or an instance this replica does not see (yet): the cluster
				// decides, and answers NOT_FOUND for an instance not registered; the next message waits for it
				CompletableFuture<InstanceStore.Beat> write = RegistryGrpcService.this.store.heartbeat(this.group,
						this.instanceId, this.streamId, reported, inFlight);
				if (this.hold != null) {
					this.hold.renewedDuring(write);
				}
				write.whenComplete((beat, failure) -> written(request, renewed, beat, failure));
			}
			catch (RuntimeException ex) {
				failed(ex);
			}
		}

		/** Goes on once the cluster took (or refused) a beat. */
		private synchronized void written(HeartbeatRequest request, boolean renewed, InstanceStore.Beat beat,
				Throwable failure) {
			if (this.ended) {
				return;
			}
			if (failure != null) {
				failed((failure instanceof RuntimeException ex) ? ex : new IllegalStateException(failure));
				return;
			}
			if (!renewed) {
				renew();
			}
			// the cluster now names this replica as the lease's holder
			this.hold.checkpointed();
			this.applied = true;
			reply(request, beat.status(), beat.forcedOutOfService());
		}

		/** Answers a beat and asks for the next. */
		private void reply(HeartbeatRequest request, InstanceStatus status, boolean forced) {
			RegistryGrpcService.this.heartbeats.increment();
			this.callRate.sample(request.getCallsTotal(), System.nanoTime())
				.ifPresent((rate) -> RegistryGrpcService.this.store.recordCallRate(this.instanceId, rate));
			send(RegistryGrpcService.this.heartbeatAnswers[status.getNumber()][forced ? 1 : 0]);
			this.responses.request(1);
		}

		/**
		 * A beat the cluster could not take: when it is the cluster's passing state (a member left, a partition
		 * moving, overload) the stream stays, and its next beat tries again well within the lease (ending it would
		 * send the instance through a reconnect); anything else ends the stream with its status.
		 */
		private void failed(RuntimeException ex) {
			if (isTransient(ex)) {
				this.responses.request(1);
			}
			else {
				end(ex);
			}
		}

		private void renew() {
			if (this.hold == null) {
				this.hold = RegistryGrpcService.this.leases.hold(this.instanceId);
			}
			else {
				this.hold.renew();
			}
		}

		/** Hands the lease back to the cluster when the stream ends. */
		private CompletableFuture<?> release() {
			return (this.hold != null) ? this.hold.release() : CompletableFuture.completedFuture(null);
		}

		/** Whether a failure is the cluster's passing state (a member left, a partition moving, overload). */
		private static boolean isTransient(RuntimeException ex) {
			return ex instanceof RetryableException || ex instanceof OperationTimeoutException
					|| ex instanceof HazelcastOverloadException;
		}

		/** Whether the record, as this replica sees it, already says what this heartbeat reports. */
		private boolean unchanged(Instance known, InstanceStatus reported, int inFlight) {
			return known != null && known.getGroup().equals(this.group) && known.getReportedStatus() == reported
					&& known.getInFlight() == inFlight
					// not marked DOWN for a broken stream
					&& known.getStatus() == (known.getForcedOutOfService() ? InstanceStatus.OUT_OF_SERVICE : reported);
		}

		private void send(HeartbeatResponse response) {
			if (this.responses.isReady()) {
				this.owed = null;
				this.responses.onNext(response);
			}
			else {
				this.owed = response;
			}
		}

		/** Runs when the client reads again: sends the latest answer it missed. */
		private synchronized void sendOwed() {
			HeartbeatResponse response = this.owed;
			if (response != null && !this.ended && this.responses.isReady()) {
				this.owed = null;
				this.responses.onNext(response);
			}
		}

		private void end(RuntimeException ex) {
			this.ended = true;
			this.responses.onError(RegistryGrpcService.this.exceptions.toStatus(ex).asRuntimeException());
			endQuietly(this::release);
		}

		/**
		 * Starts a cluster call a stream's end makes, without waiting for it. It may fail (logged): the lease still
		 * expires at TTL.
		 */
		private void endQuietly(Supplier<CompletableFuture<?>> call) {
			try {
				call.get().whenComplete((done, failure) -> {
					if (failure != null) {
						RegistryGrpcService.this.exceptions.toStatus(failure);
					}
				});
			}
			catch (RuntimeException ex) {
				RegistryGrpcService.this.exceptions.toStatus(ex);
			}
		}

		private void bind(HeartbeatRequest request) {
			if (this.instanceId == null) {
				RegistrationValidator.group(request.getGroup());
				RegistrationValidator.instanceId(request.getInstanceId());
				String principal = RegistryAuthorization.PRINCIPAL.get();
				// an instance this replica sees held by the caller needs no cluster read: a stream moved here from a
				// lost replica binds while that replica's partitions are still being promoted; anything else (not
				// seen, seen held by another) is the cluster's to decide
				if (principal != null
						&& !principal.equals(RegistryGrpcService.this.quotas.holderOf(request.getInstanceId()))) {
					RegistryGrpcService.this.store.checkOwner(request.getInstanceId(), principal);
				}
				this.group = request.getGroup();
				this.instanceId = request.getInstanceId();
			}
			else if (!this.instanceId.equals(request.getInstanceId()) || !this.group.equals(request.getGroup())) {
				throw RefusalException.invalidArgument("a heartbeat stream carries one instance: this one is '"
						+ this.group + "/" + this.instanceId + "'");
			}
		}

		@Override
		public synchronized void onError(Throwable error) {
			this.ended = true;
			if (this.instanceId != null) {
				endQuietly(() -> RegistryGrpcService.this.store.streamBroken(this.instanceId, this.streamId));
			}
			endQuietly(this::release);
		}

		@Override
		public synchronized void onCompleted() {
			this.ended = true;
			this.responses.onCompleted();
			endQuietly(this::release);
		}

	}

}
