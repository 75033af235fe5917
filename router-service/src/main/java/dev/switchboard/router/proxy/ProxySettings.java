package dev.switchboard.router.proxy;

/**
 * Limits of the forwarding path.
 *
 * @param maxAttempts the most attempts per call, the first included
 * @param replayLimitBytes how many request bytes a call may hold for replay before it commits to its replica
 */
public record ProxySettings(int maxAttempts, int replayLimitBytes) {

	public ProxySettings {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1");
		}
	}

}
