package dev.switchboard.launcher.process;

import dev.switchboard.launcher.LauncherException;

/** Pauses of the launcher: an interrupt ends the wait with a {@link LauncherException}, the interrupt kept. */
public final class Sleep {

	private Sleep() {
	}

	/** Sleeps {@code millis} milliseconds. */
	public static void millis(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

}
