package dev.switchboard.registry.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicate;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RemovalReason;

/**
 * Instances and their leases, shared by every registry replica through Hazelcast.
 * <p>
 * Maps keyed so that an instance, its lease and its call rate live in the same partition: {@code instances} (the
 * records; every change is a Watch event), {@code leases} (per instance, the replica that holds its heartbeat stream
 * and the last renewal written, see {@link LeaseRecord}; writing one fires nothing),
 * {@code call-rates} (calls per second, written only when the rate moves, expiring when no longer written) and
 * {@code service-owners} (which group owns each gRPC service name). Changes to a record run as entry processors, so
 * they are atomic per instance whichever replica applies them.
 * <p>
 * Thread-safe; every method may block on a cluster round trip.
 */
public final class InstanceStore {

	static final String INSTANCES = "switchboard.instances";

	static final String LEASES = "switchboard.leases";

	static final String CALL_RATES = "switchboard.call-rates";

	static final String SERVICE_OWNERS = "switchboard.service-owners";

	/** A call rate not written again for this long (its instance gone) expires. */
	private static final Duration CALL_RATE_TTL = Duration.ofMinutes(1);

	/**
	 * Runs a cluster operation's follow-up on the thread that completed it: the follow-ups here only start another
	 * operation or complete a future. Named explicitly on every stage, because Hazelcast's futures run a stage given
	 * no executor on their default one, which with a single-thread common pool (two cores) is a new thread per stage.
	 */
	private static final Executor ON_COMPLETING_THREAD = Runnable::run;

	private final IMap<String, InstanceRecord> instances;

	private final IMap<String, LeaseRecord> leases;

	private final IMap<String, Double> callRates;

	private final IMap<String, String> serviceOwners;

	private final Clock clock;

	private final Cluster cluster;

	/** This replica's member id: the holder its heartbeat streams write into their leases. */
	private final UUID localMember;

	/**
	 * When a sweep of this replica first found a member gone: for two TTLs from then nothing is evicted, so the
	 * instances whose streams the lost member held get that long to reach another replica and be held there, however
	 * long the cluster took to notice the loss.
	 */
	private volatile long memberLostAtMillis = Long.MIN_VALUE;

	/** The members the last sweep saw; only the sweeping thread touches it. */
	private Set<UUID> sweptMembers;

	/** Told of every change through one entry listener, registered with the first. */
	private final List<InstanceListener> listeners = new CopyOnWriteArrayList<>();

	/** Whether the entry listener is registered; guarded by {@link #listeners}. */
	private boolean listening;

	/** Claims found unused by the last reconciliation; only the reconciling thread touches it. */
	private Set<String> unusedClaims = Set.of();

	public InstanceStore(HazelcastInstance hazelcast, Clock clock) {
		Objects.requireNonNull(hazelcast, "hazelcast");
		this.instances = hazelcast.getMap(INSTANCES);
		this.leases = hazelcast.getMap(LEASES);
		this.callRates = hazelcast.getMap(CALL_RATES);
		this.serviceOwners = hazelcast.getMap(SERVICE_OWNERS);
		this.clock = Objects.requireNonNull(clock, "clock");
		this.cluster = hazelcast.getCluster();
		this.localMember = this.cluster.getLocalMember().getUuid();
		this.sweptMembers = members();
	}

	/** Grants every lease renewed before now one more TTL from now: a registry member was lost. */
	void memberLost() {
		this.memberLostAtMillis = this.clock.millis();
	}

	/**
	 * Registers an instance, or updates it when its id is known; starts or renews its lease.
	 * @param candidate a validated registration
	 * @return the record as stored
	 * @throws RefusalException {@code ALREADY_EXISTS} when a service or the instance id belongs to another group
	 */
	public InstanceRecord register(InstanceRecord candidate) {
		return register(candidate, null);
	}

	/**
	 * Registers an instance on behalf of {@code principal}, the client whose token allowed it: an instance id belongs
	 * to the client that registered it first, until it is deregistered or evicted.
	 * @param principal the registering client, {@code null} when registrations are not authorized; it becomes the
	 * record's owner
	 * @throws RefusalException {@code PERMISSION_DENIED} when another client registered the instance id
	 */
	public InstanceRecord register(InstanceRecord candidate, String principal) {
		if (principal != null && !principal.equals(candidate.owner())) {
			candidate = candidate.ownedBy(principal);
		}
		claimServices(candidate.group(), candidate.services());
		String instanceId = candidate.instanceId();
		long now = this.clock.millis();
		// the lease of a new instance is written alongside its record rather than after it: one round trip less per
		// registration; only a missing lease is written, so a refused registration renews no other's
		CompletionStage<LeaseRecord> lease = this.leases.submitToKey(instanceId, new StartLease(now));
		Register.Result result = this.instances.executeOnKey(instanceId, new Register(candidate));
		LeaseRecord leased = await(lease);
		if (result.conflictingGroup() != null) {
			throw RefusalException.alreadyExists("instance id '" + instanceId + "' is registered by group '"
					+ result.conflictingGroup() + "'");
		}
		if (result.ownedByAnother()) {
			throw RefusalException.permissionDenied("instance '" + instanceId + "' was registered by another client");
		}
		if (leased != null) {
			// the instance's own lease, renewed by registering again, or one a removed instance left behind; its
			// holder stays, as the stream it names may well go on beating
			this.leases.set(instanceId, leased.renewedAt(now));
		}
		return result.stored(candidate);
	}

	/** Waits for a cluster operation, failing as its synchronous form would: with the cluster's own exception. */
	private static <T> T await(CompletionStage<T> operation) {
		try {
			return operation.toCompletableFuture().join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	/**
	 * A cluster operation as a plain future: its stages without an executor run on the thread that completes it (not
	 * on Hazelcast's default executor), and it fails with the cluster's own exception.
	 */
	private static <T> CompletableFuture<T> plain(CompletionStage<T> operation) {
		CompletableFuture<T> result = new CompletableFuture<>();
		operation.whenCompleteAsync((value, failure) -> {
			if (failure == null) {
				result.complete(value);
			}
			else {
				result.completeExceptionally((failure instanceof CompletionException && failure.getCause() != null)
						? failure.getCause() : failure);
			}
		}, ON_COMPLETING_THREAD);
		return result;
	}

	/**
	 * Applies a heartbeat from stream {@code streamId}, held by this replica: records the instance's status and load
	 * and marks its lease as held here, renewed now. Does not block: a stream moved here from a lost replica waits on
	 * partitions still being promoted, and thousands of them must not each hold a thread meanwhile.
	 * @return completes with the instance's effective status after the heartbeat, on the thread that completed the
	 * cluster's operation; exceptionally with a {@link RefusalException} {@code NOT_FOUND} when the instance is not
	 * registered in that group, or with the cluster's exception
	 */
	public CompletableFuture<Beat> heartbeat(String group, String instanceId, String streamId, InstanceStatus reported,
			int inFlight) {
		return plain(this.instances.submitToKey(instanceId, new Heartbeat(group, streamId, reported, inFlight))
			.thenComposeAsync((beat) -> {
				if (beat == null) {
					throw RefusalException.notFound("instance '" + instanceId + "' is not registered in group '"
							+ group + "'; register it again");
				}
				return this.leases.setAsync(instanceId, new LeaseRecord(this.clock.millis(), this.localMember))
					.thenApplyAsync((written) -> beat, ON_COMPLETING_THREAD);
			}, ON_COMPLETING_THREAD));
	}

	/**
	 * Writes that this replica holds the leases of {@code renewals}' instances, each renewed at the given time (epoch
	 * millis): one batch, one write per partition.
	 */
	public void holdLeases(Map<String, Long> renewals) {
		Map<String, LeaseRecord> held = new java.util.HashMap<>(renewals.size() * 2);
		renewals.forEach((instanceId, millis) -> held.put(instanceId, new LeaseRecord(millis, this.localMember)));
		this.leases.putAll(held);
	}

	/**
	 * Hands an instance's lease back to the cluster, renewed at {@code lastRenewal}, when this replica's stream for it
	 * ended: from then on it expires at {@code lastRenewal} plus the TTL unless another replica's stream holds it.
	 * Nothing changes when another replica holds it already. Does not block.
	 * @return completes when the cluster has it, on the thread that completed the cluster's operation
	 */
	public CompletableFuture<Boolean> releaseLease(String instanceId, long lastRenewal) {
		return plain(this.leases.submitToKey(instanceId, new ReleaseLease(this.localMember, lastRenewal)));
	}

	/**
	 * Evicts an instance whose lease this replica holds and found expired; nothing happens when another replica holds
	 * it now (the stream moved), or the instance is gone.
	 * @return the evicted instance
	 */
	public Optional<InstanceRecord> evictHeld(String instanceId) {
		if (!this.leases.executeOnKey(instanceId, new EndHeldLease(this.localMember))) {
			return Optional.empty();
		}
		return evict(instanceId);
	}

	private Optional<InstanceRecord> evict(String instanceId) {
		InstanceRecord record = this.instances.get(instanceId);
		if (record == null) {
			return Optional.empty();
		}
		this.instances.evict(instanceId);
		this.callRates.delete(instanceId);
		return Optional.of(record);
	}

	/**
	 * Marks an instance DOWN because heartbeat stream {@code streamId} broke, unless another stream has taken over.
	 * Does not block.
	 * @return completes when the cluster has it, on the thread that completed the cluster's operation
	 */
	public CompletableFuture<Boolean> streamBroken(String instanceId, String streamId) {
		return plain(this.instances.submitToKey(instanceId, new StreamBroken(streamId)));
	}

	/**
	 * Removes an instance and its lease.
	 * @throws RefusalException {@code NOT_FOUND} when the instance is not registered in that group
	 */
	public InstanceRecord deregister(String group, String instanceId) {
		return deregister(group, instanceId, null);
	}

	/**
	 * Removes an instance on behalf of {@code principal}.
	 * @throws RefusalException {@code PERMISSION_DENIED} when another client registered it
	 */
	public InstanceRecord deregister(String group, String instanceId, String principal) {
		InstanceRecord found = this.instances.executeOnKey(instanceId, new Deregister(group, principal));
		if (found == null) {
			throw RefusalException.notFound("instance '" + instanceId + "' is not registered in group '" + group + "'");
		}
		if (!found.mayBeChangedBy(principal)) {
			throw RefusalException.permissionDenied("instance '" + instanceId + "' was registered by another client");
		}
		this.leases.delete(instanceId);
		this.callRates.delete(instanceId);
		return found;
	}

	/**
	 * Forces an instance out of service or clears that; heartbeats cannot undo it.
	 * @throws RefusalException {@code NOT_FOUND} when the instance is not registered
	 */
	public InstanceRecord setOutOfService(String instanceId, boolean forced) {
		InstanceRecord record = this.instances.executeOnKey(instanceId, new ForceOutOfService(forced));
		if (record == null) {
			throw RefusalException.notFound("instance '" + instanceId + "' is not registered");
		}
		return record;
	}

	/**
	 * Evicts the instances whose lease, among those this replica owns, no live replica holds and nobody renewed for
	 * {@code ttl}; a lease a live replica holds is that replica's to judge, and goes here only when it has not been
	 * written for {@code ttl} plus {@code checkpointInterval} (its holder lost track of it). Every replica sweeps its
	 * own partitions, so together they cover all of them once. For two TTLs after a sweep first finds a member gone,
	 * nothing is evicted: a member's loss is noticed seconds after it happened, and the instances it served need that
	 * long to move their streams (a component waits up to about a TTL before reconnecting) and be held again.
	 * @param checkpointInterval how often a holder writes the leases it holds
	 * @return the evicted instances
	 */
	public List<InstanceRecord> evictExpired(Duration ttl, Duration checkpointInterval) {
		// read by the sweep itself, not from a membership event: a sweep that follows a member's removal is sure to
		// know it, though the event may not have run yet (a batch of renewals blocked on the lost member's partitions
		// returns as soon as they are promoted, and the sweep runs right after it, on the same thread)
		Set<UUID> members = members();
		if (!members.containsAll(this.sweptMembers)) {
			memberLost();
		}
		this.sweptMembers = members;
		long deadline = this.clock.millis() - ttl.toMillis();
		if (this.memberLostAtMillis >= deadline - ttl.toMillis()) {
			// within two TTLs of losing a member: its streams are still moving to the others (a component waits up to
			// about a TTL before reconnecting), and the replicas they moved to still writing that they hold them
			return List.of();
		}
		Expired expired = new Expired(deadline, deadline - checkpointInterval.toMillis(), members);
		List<InstanceRecord> evicted = new java.util.ArrayList<>();
		for (String instanceId : this.leases.localKeySet(expired)) {
			LeaseRecord lease = this.leases.get(instanceId);
			// remove only the lease we judged expired: a stream that took it over in between wins
			if (lease != null && expired.apply(Map.entry(instanceId, lease)) && this.leases.remove(instanceId, lease)) {
				evict(instanceId).ifPresent(evicted::add);
			}
		}
		return evicted;
	}

	/**
	 * Checks that {@code principal} may act on an instance: the client that registered it, or anyone when
	 * registrations are not authorized ({@code principal} is {@code null}) or nobody owns it.
	 * @throws RefusalException {@code PERMISSION_DENIED} when another client registered it
	 */
	public void checkOwner(String instanceId, String principal) {
		if (principal == null) {
			return;
		}
		InstanceRecord record = this.instances.get(instanceId);
		if (record != null && !record.mayBeChangedBy(principal)) {
			throw RefusalException.permissionDenied("instance '" + instanceId + "' was registered by another client");
		}
	}

	/** Returns one instance, if registered. */
	public Optional<InstanceRecord> find(String instanceId) {
		return Optional.ofNullable(this.instances.get(instanceId));
	}

	/** Returns every instance, read from the whole cluster. */
	public Collection<InstanceRecord> all() {
		return List.copyOf(this.instances.values());
	}

	/**
	 * Stores the calls per second an instance completed lately, without waiting for the cluster. Nothing is
	 * notified: rates are read with {@link #callRates()}, not watched.
	 */
	public void recordCallRate(String instanceId, double perSecond) {
		this.callRates.setAsync(instanceId, perSecond, CALL_RATE_TTL.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Returns the calls per second of each instance that reported any lately. */
	public Map<String, Double> callRates() {
		return Map.copyOf(this.callRates);
	}

	/** Returns the calls per second of those of {@code instanceIds} that reported any lately. */
	public Map<String, Double> callRates(Set<String> instanceIds) {
		return Map.copyOf(this.callRates.getAll(instanceIds));
	}

	/**
	 * Returns the last renewal written to the cluster for each of {@code instanceIds} that has a lease, in epoch
	 * millis: for a lease a replica holds, its last checkpoint.
	 */
	public Map<String, Long> leaseRenewals(Set<String> instanceIds) {
		return renewals(this.leases.getAll(instanceIds));
	}

	/** Returns the last renewal written to the cluster for each lease, in epoch millis. */
	public Map<String, Long> leaseRenewals() {
		return renewals(this.leases);
	}

	private static Map<String, Long> renewals(Map<String, LeaseRecord> leases) {
		Map<String, Long> renewals = new java.util.HashMap<>(leases.size() * 2);
		leases.forEach((instanceId, lease) -> renewals.put(instanceId, lease.renewedMillis()));
		return renewals;
	}

	/** Returns the group that owns each claimed service name. */
	public Map<String, String> serviceOwners() {
		return Map.copyOf(this.serviceOwners);
	}

	/**
	 * Subscribes to every change of every instance, cluster-wide, then returns the instances registered at that
	 * moment. A change may be delivered both ways; the listener must treat the returned state as older than events.
	 */
	public Collection<InstanceRecord> subscribe(InstanceListener listener) {
		Objects.requireNonNull(listener, "listener");
		this.listeners.add(listener);
		synchronized (this.listeners) {
			if (!this.listening) {
				// one cluster registration for every listener of this replica: each registration costs every change
				// its own event, serialized with the record's old and new value, to every member
				this.instances.addEntryListener(new HazelcastInstanceListener(this.listeners), true);
				this.listening = true;
			}
		}
		return all();
	}

	private void claimServices(String group, Collection<String> services) {
		for (String service : services) {
			// the claim as this member last saw it (near-cached): a claim held by the group is confirmed by reading
			String owner = this.serviceOwners.get(service);
			if (owner == null) {
				owner = this.serviceOwners.putIfAbsent(service, group);
			}
			if (owner != null && !owner.equals(group)) {
				throw RefusalException.alreadyExists("service '" + service + "' is already served by group '"
						+ owner + "'");
			}
		}
	}

	/**
	 * Releases the service claims, among those this replica owns, whose group has served the service in neither this
	 * nor the previous reconciliation: a claim outlives its last instance by one to two periods, and a registration
	 * in flight (claimed, not yet visible) is never mistaken for an abandoned claim. Called periodically by each
	 * replica with the instances it sees, so releasing costs O(instances) per period instead of a cluster query per
	 * removal.
	 * @param served the services each group serves now, by group
	 * @return the claims released, as {@code service -> group}
	 */
	public Map<String, String> releaseAbandonedClaims(Map<String, Set<String>> served) {
		Map<String, String> released = new java.util.HashMap<>();
		Set<String> unusedNow = new HashSet<>();
		for (String service : this.serviceOwners.localKeySet()) {
			String group = this.serviceOwners.get(service);
			if (group == null || served.getOrDefault(group, Set.of()).contains(service)) {
				continue;
			}
			String claim = service + "\u0000" + group;
			unusedNow.add(claim);
			if (this.unusedClaims.contains(claim) && this.serviceOwners.remove(service, group)) {
				released.put(service, group);
			}
		}
		this.unusedClaims = unusedNow;
		return released;
	}

	/**
	 * Finds the services this replica sees served by a group that does not hold their claim, and claims again those
	 * that have none. A registration can slip between a release's two looks (its claim confirmed just before the
	 * release, its instance not yet in the view that found the claim unused); without this, the service would stay
	 * served and unclaimed, free for any group to take. Claims are read from the near cache, so a period in which
	 * every served service is claimed by its group costs no cluster round trip.
	 * @param served the services each group serves now, by group
	 * @return each service served without its group's claim, and who holds the claim now
	 */
	public List<Reclaim> reclaimServed(Map<String, Set<String>> served) {
		List<Reclaim> found = new java.util.ArrayList<>();
		served.forEach((group, services) -> {
			for (String service : services) {
				String owner = this.serviceOwners.get(service);
				if (owner == null) {
					owner = this.serviceOwners.putIfAbsent(service, group);
					found.add(new Reclaim(service, group, (owner != null) ? owner : group));
				}
				else if (!owner.equals(group)) {
					found.add(new Reclaim(service, group, owner));
				}
			}
		});
		return found;
	}

	/**
	 * A service found served without its group's claim.
	 *
	 * @param service the service name
	 * @param servedBy the group whose instances serve it
	 * @param owner the group that holds the claim now: {@code servedBy} when it was claimed again, else a group that
	 * took the claim while it had none
	 */
	public record Reclaim(String service, String servedBy, String owner) {

		/** Whether the claim is the serving group's again. */
		public boolean healed() {
			return this.owner.equals(this.servedBy);
		}

	}

	/**
	 * Turns Hazelcast entry events into calls of every listener, in subscription order: a removal is a
	 * deregistration, an eviction a lease expiry.
	 */
	record HazelcastInstanceListener(List<InstanceListener> listeners)
			implements EntryAddedListener<String, InstanceRecord>, EntryUpdatedListener<String, InstanceRecord>,
			EntryRemovedListener<String, InstanceRecord>, EntryEvictedListener<String, InstanceRecord> {

		@Override
		public void entryAdded(EntryEvent<String, InstanceRecord> event) {
			InstanceRecord record = event.getValue();
			this.listeners.forEach((listener) -> listener.updated(record));
		}

		@Override
		public void entryUpdated(EntryEvent<String, InstanceRecord> event) {
			InstanceRecord record = event.getValue();
			this.listeners.forEach((listener) -> listener.updated(record));
		}

		@Override
		public void entryRemoved(EntryEvent<String, InstanceRecord> event) {
			InstanceRecord record = event.getOldValue();
			this.listeners.forEach((listener) -> listener.removed(record, RemovalReason.DEREGISTERED));
		}

		@Override
		public void entryEvicted(EntryEvent<String, InstanceRecord> event) {
			InstanceRecord record = event.getOldValue();
			this.listeners.forEach((listener) -> listener.removed(record, RemovalReason.EVICTED));
		}

	}

	record Register(InstanceRecord candidate) implements EntryProcessor<String, InstanceRecord, Register.Result> {

		/**
		 * What a registration did.
		 *
		 * @param updated the record as stored when one existed, {@code null} when the candidate was stored as it is:
		 * the caller has it, so it is not sent back
		 * @param conflictingGroup the group that holds the instance id, when not the candidate's
		 * @param ownedByAnother whether another client registered the instance id (nothing was changed)
		 */
		record Result(InstanceRecord updated, String conflictingGroup,
				boolean ownedByAnother) implements java.io.Serializable {

			static final Result CREATED = new Result(null, null, false);

			static final Result OWNED_BY_ANOTHER = new Result(null, null, true);

			/** The record as stored, given the candidate registered. */
			InstanceRecord stored(InstanceRecord candidate) {
				return (this.updated != null) ? this.updated : candidate;
			}

		}

		@Override
		public Result process(Map.Entry<String, InstanceRecord> entry) {
			InstanceRecord existing = entry.getValue();
			if (existing == null) {
				entry.setValue(this.candidate);
				return Result.CREATED;
			}
			if (!existing.group().equals(this.candidate.group())) {
				return new Result(null, existing.group(), false);
			}
			// an instance id belongs to the client that registered it first, until it is deregistered or evicted
			if (!this.candidate.owner().isEmpty() && !existing.mayBeChangedBy(this.candidate.owner())) {
				return Result.OWNED_BY_ANOTHER;
			}
			InstanceRecord updated = existing.updatedBy(this.candidate);
			if (!updated.equals(existing)) {
				entry.setValue(updated);
			}
			return new Result(updated, null, false);
		}

	}

	/**
	 * What a heartbeat answers: the effective status, and whether an admin forced it out of service.
	 *
	 * @param status the effective status
	 * @param forcedOutOfService whether an admin forced it
	 */
	public record Beat(InstanceStatus status, boolean forcedOutOfService) implements java.io.Serializable {
	}

	record Heartbeat(String group, String streamId, InstanceStatus reported,
			int inFlight) implements EntryProcessor<String, InstanceRecord, Beat> {

		@Override
		public Beat process(Map.Entry<String, InstanceRecord> entry) {
			InstanceRecord existing = entry.getValue();
			if (existing == null || !existing.group().equals(this.group)) {
				return null;
			}
			InstanceRecord updated = existing.withHeartbeat(this.streamId, this.reported, this.inFlight);
			if (!updated.equals(existing)) {
				// only real changes are written, so a steady heartbeat fires no Watch event
				entry.setValue(updated);
			}
			return new Beat(updated.status(), updated.forcedOutOfService());
		}

	}

	record StreamBroken(String streamId) implements EntryProcessor<String, InstanceRecord, Boolean> {

		@Override
		public Boolean process(Map.Entry<String, InstanceRecord> entry) {
			InstanceRecord existing = entry.getValue();
			if (existing == null || !existing.streamId().equals(this.streamId) || existing.streamBroken()) {
				return false;
			}
			entry.setValue(existing.withStreamBroken());
			return true;
		}

	}

	/**
	 * Removes the instance when it is in {@code group} and {@code principal} may remove it ({@code null}: anyone);
	 * returns it either way, or {@code null} when the group has no such instance.
	 */
	record Deregister(String group, String principal) implements EntryProcessor<String, InstanceRecord, InstanceRecord> {

		@Override
		public InstanceRecord process(Map.Entry<String, InstanceRecord> entry) {
			InstanceRecord existing = entry.getValue();
			if (existing == null || !existing.group().equals(this.group)) {
				return null;
			}
			if (existing.mayBeChangedBy(this.principal)) {
				entry.setValue(null);
			}
			return existing;
		}

	}

	record ForceOutOfService(boolean forced) implements EntryProcessor<String, InstanceRecord, InstanceRecord> {

		@Override
		public InstanceRecord process(Map.Entry<String, InstanceRecord> entry) {
			InstanceRecord existing = entry.getValue();
			if (existing == null) {
				return null;
			}
			InstanceRecord updated = existing.withForcedOutOfService(this.forced);
			if (!updated.equals(existing)) {
				entry.setValue(updated);
			}
			return updated;
		}

	}

	/** Starts a lease no replica holds yet at {@code millis} unless there is one; returns the one there was. */
	record StartLease(long millis) implements EntryProcessor<String, LeaseRecord, LeaseRecord> {

		@Override
		public LeaseRecord process(Map.Entry<String, LeaseRecord> entry) {
			LeaseRecord existing = entry.getValue();
			if (existing == null) {
				entry.setValue(LeaseRecord.free(this.millis));
			}
			return existing;
		}

	}

	/** Frees a lease {@code holder} holds, renewed at {@code millis}; returns whether it held it. */
	record ReleaseLease(UUID holder, long millis) implements EntryProcessor<String, LeaseRecord, Boolean> {

		@Override
		public Boolean process(Map.Entry<String, LeaseRecord> entry) {
			LeaseRecord existing = entry.getValue();
			if (existing == null || !this.holder.equals(existing.holder())) {
				return false;
			}
			entry.setValue(LeaseRecord.free(Math.max(existing.renewedMillis(), this.millis)));
			return true;
		}

	}

	/** Removes a lease {@code holder} holds; returns whether it held it. */
	record EndHeldLease(UUID holder) implements EntryProcessor<String, LeaseRecord, Boolean> {

		@Override
		public Boolean process(Map.Entry<String, LeaseRecord> entry) {
			LeaseRecord existing = entry.getValue();
			if (existing == null || !this.holder.equals(existing.holder())) {
				return false;
			}
			entry.setValue(null);
			return true;
		}

	}

	/**
	 * Matches expired leases (see {@link LeaseRecord#expired}), reading the stored value itself: the query engine's
	 * attribute extraction and conversion cost more than the comparison, on every lease, every sweep.
	 */
	record Expired(long deadline, long heldDeadline, Set<UUID> members) implements Predicate<String, LeaseRecord> {

		@Override
		public boolean apply(Map.Entry<String, LeaseRecord> entry) {
			LeaseRecord lease = entry.getValue();
			return lease != null && lease.expired(this.deadline, this.heldDeadline, this.members);
		}

	}

	private Set<UUID> members() {
		Set<UUID> members = new HashSet<>();
		for (Member member : this.cluster.getMembers()) {
			members.add(member.getUuid());
		}
		return members;
	}

	/** Returns a fresh id for a heartbeat stream. */
	public static String newStreamId() {
		return UUID.randomUUID().toString();
	}

}
