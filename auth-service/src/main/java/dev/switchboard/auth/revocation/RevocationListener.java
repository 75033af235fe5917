package dev.switchboard.auth.revocation;

/**
 * Receives every revocation this replica reads from the log, in sequence order, on the poller's thread (or the thread
 * of a caller catching up). Implementations must be quick and must not throw.
 */
@FunctionalInterface
public interface RevocationListener {

	/**
	 * Called once per event; an event for {@link RevocationEvent#EVERY_CLIENT} means drop everything cached.
	 */
	void revoked(RevocationEvent event);

}
