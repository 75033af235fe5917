package dev.switchboard.registry.quota;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.registry.store.InstanceListener;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.v1.RemovalReason;

/**
 * How many instances, and how many bytes of registration, each client holds, kept from the store's change events, and
 * the check that a registration keeps its client within its quota.
 * <p>
 * Usage is counted from this replica's view rather than kept in a shared counter, so it can never drift from what is
 * registered: an instance counts from the change event that made it visible until the one that removed it. The check
 * is therefore soft by the registrations in flight at that moment on other replicas; a client cannot go further
 * over, because each further registration sees the ones before it. Thread-safe.
 */
public final class ClientQuotas implements InstanceListener {

	private final Object lock = new Object();

	/** What each instance that has an owner counts against it. */
	private final Map<String, Held> byInstance = new HashMap<>();

	private final Map<String, Usage> byClient = new HashMap<>();

	private final Set<String> removedBeforeLoad = new HashSet<>();

	private final int instancesPerClient;

	private final long bytesPerClient;

	private boolean loaded;

	/**
	 * @param instancesPerClient how many instances one client may hold registered
	 * @param bytesPerClient how many bytes of registrations ({@link InstanceRecord#footprint()}) it may hold
	 */
	public ClientQuotas(int instancesPerClient, long bytesPerClient) {
		if (instancesPerClient < 1 || bytesPerClient < 1) {
			throw new IllegalArgumentException("instancesPerClient and bytesPerClient must be positive");
		}
		this.instancesPerClient = instancesPerClient;
		this.bytesPerClient = bytesPerClient;
	}

	/** Counts the instances registered when this replica subscribed; changes already received win. */
	public void load(Collection<InstanceRecord> initial) {
		synchronized (this.lock) {
			for (InstanceRecord record : initial) {
				if (!this.removedBeforeLoad.contains(record.instanceId())
						&& !this.byInstance.containsKey(record.instanceId())) {
					hold(record);
				}
			}
			this.removedBeforeLoad.clear();
			this.loaded = true;
		}
	}

	/**
	 * Checks that {@code candidate}, registered or updated by its owner, keeps the owner within its quotas.
	 * @throws RefusalException {@code RESOURCE_EXHAUSTED} saying which quota it would pass
	 */
	public void check(InstanceRecord candidate) {
		String client = candidate.owner();
		if (client.isEmpty()) {
			return;
		}
		synchronized (this.lock) {
			Usage usage = this.byClient.getOrDefault(client, Usage.NONE);
			Held previous = this.byInstance.get(candidate.instanceId());
			boolean known = previous != null && previous.client().equals(client);
			int instances = usage.instances() + (known ? 0 : 1);
			long bytes = usage.bytes() + candidate.footprint() - (known ? previous.bytes() : 0);
			if (instances > this.instancesPerClient) {
				throw RefusalException.resourceExhausted("client '" + client + "' already holds " + usage.instances()
						+ " instances, its quota");
			}
			if (bytes > this.bytesPerClient) {
				throw RefusalException.resourceExhausted("client '" + client + "' would hold " + bytes
						+ " bytes of registrations, over its quota of " + this.bytesPerClient);
			}
		}
	}

	/**
	 * Returns the client that holds {@code instanceId} as this replica sees it, or {@code null} when it sees no owner
	 * (not registered, not yet seen, or registered without authorization).
	 */
	public String holderOf(String instanceId) {
		synchronized (this.lock) {
			Held held = this.byInstance.get(instanceId);
			return (held != null) ? held.client() : null;
		}
	}

	/** Returns what {@code client} holds now. */
	public Usage usage(String client) {
		synchronized (this.lock) {
			return this.byClient.getOrDefault(client, Usage.NONE);
		}
	}

	@Override
	public void updated(InstanceRecord record) {
		synchronized (this.lock) {
			release(record.instanceId());
			hold(record);
		}
	}

	@Override
	public void removed(InstanceRecord record, RemovalReason reason) {
		synchronized (this.lock) {
			release(record.instanceId());
			if (!this.loaded) {
				this.removedBeforeLoad.add(record.instanceId());
			}
		}
	}

	/** Must hold the lock. */
	private void hold(InstanceRecord record) {
		if (record.owner().isEmpty()) {
			return;
		}
		Held held = new Held(record.owner(), record.footprint());
		this.byInstance.put(record.instanceId(), held);
		this.byClient.merge(held.client(), new Usage(1, held.bytes()), Usage::plus);
	}

	/** Must hold the lock. */
	private void release(String instanceId) {
		Held held = this.byInstance.remove(instanceId);
		if (held != null) {
			this.byClient.computeIfPresent(held.client(), (client, usage) -> {
				Usage left = usage.plus(new Usage(-1, -held.bytes()));
				return (left.instances() > 0) ? left : null;
			});
		}
	}

	/**
	 * What one client holds.
	 *
	 * @param instances registered instances
	 * @param bytes their {@link InstanceRecord#footprint()} summed
	 */
	public record Usage(int instances, long bytes) {

		static final Usage NONE = new Usage(0, 0);

		Usage plus(Usage other) {
			return new Usage(this.instances + other.instances, this.bytes + other.bytes);
		}

	}

	private record Held(String client, int bytes) {
	}

}
