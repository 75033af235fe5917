package dev.switchboard.bench.load;

/**
 * Told when a load's measured window opens and closes, on the thread that runs the load, to sample what happens
 * outside the load generator (CPU time, memory, thread dumps) over the same window.
 */
public interface Window {

	/** A window nobody watches. */
	Window NONE = new Window() {
	};

	default void opened() {
	}

	default void closed() {
	}

}
