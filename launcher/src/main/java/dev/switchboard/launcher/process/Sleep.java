package dev.switchboard.launcher.process;

import dev.switchboard.launcher.LauncherException;

/** Polling pauses: an interrupt ends the launcher's wait, with the interrupt kept. */
final class Sleep {

	private Sleep() {
	}

	static void millis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
