package dev.switchboard.registry.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.watch.WatchHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases service claims no instance of the owning group serves any more, so another group may take the service,
 * and claims again a service served without a claim. Runs periodically on each replica's scheduler thread; see {@link InstanceStore#releaseAbandonedClaims(Map)}.
 */
public final class ClaimReaper implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(ClaimReaper.class);

	private final InstanceStore store;

	private final WatchHub hub;

	/** The conflicts the last run found, each warned of once while it lasts; only the running thread touches it. */
	private Set<InstanceStore.Reclaim> conflicts = Set.of();

	public ClaimReaper(InstanceStore store, WatchHub hub) {
		this.store = Objects.requireNonNull(store, "store");
		this.hub = Objects.requireNonNull(hub, "hub");
	}

	@Override
	public void run() {
		try {
			Map<String, Set<String>> served = new HashMap<>();
			for (Instance instance : this.hub.instances()) {
				served.computeIfAbsent(instance.getGroup(), (group) -> new HashSet<>())
					.addAll(instance.getServicesList());
			}
			this.store.releaseAbandonedClaims(served)
				.forEach((service, group) -> logger.info("Released service {} from group {}: no instance serves it",
						service, group));
			Set<InstanceStore.Reclaim> conflicts = new HashSet<>();
			for (InstanceStore.Reclaim reclaim : this.store.reclaimServed(served)) {
				if (reclaim.healed()) {
					logger.info("Claimed service {} again for group {}: it was served without a claim",
							reclaim.service(), reclaim.owner());
				}
				else {
					conflicts.add(reclaim);
					if (!this.conflicts.contains(reclaim)) {
						logger.warn("Service {} is served by group {} but claimed by group {}, which took it while "
								+ "it had no claim; deregister one group's instances", reclaim.service(),
								reclaim.servedBy(), reclaim.owner());
					}
				}
			}
			this.conflicts = conflicts;
		}
		catch (RuntimeException ex) {
			logger.warn("Releasing abandoned service claims failed; retrying next period", ex);
		}
	}

}
