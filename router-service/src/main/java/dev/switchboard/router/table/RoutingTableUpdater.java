package dev.switchboard.router.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.router.balancer.Replica;

/**
 * Turns each registry view into a new {@link RoutingTable} and swaps it in. Replica objects are kept by instance id
 * across views so their counters and outlier state survive; replicas that left are handed to {@code onRemoved}
 * (which closes their channels).
 * <p>
 * Views arrive one at a time on the Watch callback thread; {@link #current()} may be read from any thread. With every
 * registry down no view arrives, and the last table keeps routing.
 */
public final class RoutingTableUpdater implements Consumer<RegistryView> {

	private final AtomicReference<RoutingTable> table = new AtomicReference<>(RoutingTable.EMPTY);

	private final Function<Instance, Replica> replicaFactory;

	private final Consumer<Replica> onRemoved;

	private Map<String, Replica> replicas = Map.of();

	/**
	 * @param replicaFactory makes the replica of a newly seen instance
	 * @param onRemoved told of every replica that left the registry
	 */
	public RoutingTableUpdater(Function<Instance, Replica> replicaFactory, Consumer<Replica> onRemoved) {
		this.replicaFactory = Objects.requireNonNull(replicaFactory, "replicaFactory");
		this.onRemoved = Objects.requireNonNull(onRemoved, "onRemoved");
	}

	/** Returns the table in force; never {@code null}. */
	public RoutingTable current() {
		return this.table.get();
	}

	@Override
	public synchronized void accept(RegistryView view) {
		Map<String, Replica> next = new HashMap<>();
		Map<String, List<Replica>> byGroup = new HashMap<>();
		Map<String, String> groupByService = new HashMap<>();
		for (Instance instance : view.all()) {
			Replica replica = this.replicas.get(instance.getInstanceId());
			if (replica == null || !replica.instance().getGroup().equals(instance.getGroup())) {
				replica = this.replicaFactory.apply(instance);
			}
			else {
				replica.update(instance);
			}
			next.put(instance.getInstanceId(), replica);
			byGroup.computeIfAbsent(instance.getGroup(), (group) -> new ArrayList<>()).add(replica);
			for (String service : instance.getServicesList()) {
				groupByService.putIfAbsent(service, instance.getGroup());
			}
		}
		Map<String, GroupRoute> groups = new HashMap<>();
		byGroup.forEach((group, members) -> groups.put(group, GroupRoute.of(group, members)));
		this.table.set(new RoutingTable(view.revision(), groupByService, groups));
		for (Map.Entry<String, Replica> old : this.replicas.entrySet()) {
			if (next.get(old.getKey()) != old.getValue()) {
				this.onRemoved.accept(old.getValue());
			}
		}
		this.replicas = next;
	}

}
