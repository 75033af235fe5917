package dev.switchboard.registry.actuate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.watch.WatchHub;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Gauges of the registry's state, read from this replica's view: instances per group and status, and open Watch
 * streams. {@link #refresh()} recomputes the per-group gauges; it is cheap and runs once a second.
 */
public final class RegistryMetrics {

	private final WatchHub hub;

	private final MultiGauge instances;

	public RegistryMetrics(WatchHub hub, MeterRegistry meters) {
		this.hub = hub;
		this.instances = MultiGauge.builder("switchboard.registry.instances")
			.description("Registered instances by group and effective status")
			.register(meters);
		Gauge.builder("switchboard.registry.watchers", hub, WatchHub::watchers)
			.description("Open Watch streams on this replica")
			.register(meters);
	}

	public void refresh() {
		Map<String, int[]> counts = new HashMap<>();
		for (Instance instance : this.hub.instances()) {
			int[] byStatus = counts.computeIfAbsent(instance.getGroup(), (group) -> new int[5]);
			byStatus[instance.getStatusValue()]++;
		}
		List<MultiGauge.Row<?>> rows = new ArrayList<>();
		counts.forEach((group, byStatus) -> {
			for (InstanceStatus status : List.of(InstanceStatus.STARTING, InstanceStatus.UP, InstanceStatus.DOWN,
					InstanceStatus.OUT_OF_SERVICE)) {
				rows.add(MultiGauge.Row.of(Tags.of("group", group, "status", status.name()),
						byStatus[status.getNumber()]));
			}
		});
		this.instances.register(rows, true);
	}

}
