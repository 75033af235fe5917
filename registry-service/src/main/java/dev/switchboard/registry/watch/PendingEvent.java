package dev.switchboard.registry.watch;

import java.util.List;

import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceRemoved;
import dev.switchboard.registry.v1.InstanceUpdated;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.v1.Snapshot;
import dev.switchboard.registry.v1.WatchEvent;

/** A Watch event waiting in a subscriber's queue; it gets its revision when it is sent. */
@FunctionalInterface
interface PendingEvent {

	WatchEvent toEvent(long revision);

	static PendingEvent updated(Instance instance) {
		InstanceUpdated updated = InstanceUpdated.newBuilder().setInstance(instance).build();
		return (revision) -> WatchEvent.newBuilder().setRevision(revision).setUpdated(updated).build();
	}

	static PendingEvent removed(Instance instance, RemovalReason reason) {
		InstanceRemoved removed = InstanceRemoved.newBuilder().setInstance(instance).setReason(reason).build();
		return (revision) -> WatchEvent.newBuilder().setRevision(revision).setRemoved(removed).build();
	}

	static PendingEvent snapshot(List<Instance> instances) {
		Snapshot snapshot = Snapshot.newBuilder().addAllInstances(instances).build();
		return (revision) -> WatchEvent.newBuilder().setRevision(revision).setSnapshot(snapshot).build();
	}

}
