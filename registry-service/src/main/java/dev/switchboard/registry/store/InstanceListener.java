package dev.switchboard.registry.store;

import dev.switchboard.registry.v1.RemovalReason;

/**
 * Receives every change to the registered instances, from whichever replica made it. Calls for one instance arrive in
 * order; calls for different instances may arrive concurrently on different threads.
 */
public interface InstanceListener {

	/** An instance was registered or changed. */
	void updated(InstanceRecord record);

	/** An instance was deregistered or evicted. */
	void removed(InstanceRecord record, RemovalReason reason);

}
