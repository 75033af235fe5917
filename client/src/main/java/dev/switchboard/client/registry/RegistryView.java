package dev.switchboard.client.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.switchboard.registry.v1.Instance;

/**
 * An immutable view of the registry as one watcher last saw it.
 *
 * @param revision the revision of the last event applied; 0 before the first snapshot
 * @param instances every known instance by instance id
 */
public record RegistryView(long revision, Map<String, Instance> instances) {

	/** The view before any snapshot arrived. */
	public static final RegistryView EMPTY = new RegistryView(0, Map.of());

	public RegistryView {
		Objects.requireNonNull(instances, "instances");
	}

	/** Returns the instances of one group, in no particular order. */
	public List<Instance> group(String group) {
		return this.instances.values().stream().filter((instance) -> instance.getGroup().equals(group)).toList();
	}

	/** Returns the names of every group that has at least one instance. */
	public List<String> groups() {
		return this.instances.values().stream().map(Instance::getGroup).distinct().sorted().toList();
	}

	/** Returns every instance. */
	public Collection<Instance> all() {
		return this.instances.values();
	}

}
