package dev.switchboard.registry.watch;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.CodedOutputStream;
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

	/**
	 * Returns a snapshot of {@code instances} in parts of at most {@code partBytes} serialized bytes each (an instance
	 * larger than that alone in its part), so no message nears the limit however many instances there are. An empty
	 * snapshot is one empty part.
	 */
	static List<PendingEvent> snapshot(List<Instance> instances, int partBytes) {
		List<PendingEvent> parts = new ArrayList<>();
		Snapshot.Builder part = Snapshot.newBuilder();
		int bytes = 0;
		for (Instance instance : instances) {
			int size = CodedOutputStream.computeMessageSize(Snapshot.INSTANCES_FIELD_NUMBER, instance);
			if (bytes + size > partBytes && part.getInstancesCount() > 0) {
				parts.add(snapshotPart(part.setMore(true).build()));
				part = Snapshot.newBuilder().setPart(parts.size());
				bytes = 0;
			}
			part.addInstances(instance);
			bytes += size;
		}
		parts.add(snapshotPart(part.build()));
		return parts;
	}

	private static PendingEvent snapshotPart(Snapshot snapshot) {
		return (revision) -> WatchEvent.newBuilder().setRevision(revision).setSnapshot(snapshot).build();
	}

}
