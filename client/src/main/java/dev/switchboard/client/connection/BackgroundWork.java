package dev.switchboard.client.connection;

import java.util.Objects;

import org.springframework.context.SmartLifecycle;

/**
 * Background work a process keeps going with the platform (the registry's Watch and auth's revocation streams, the
 * renewals of its certificate), started when the application context starts and stopped when it stops, never while
 * beans are still being made.
 * <p>
 * It runs in {@link #PHASE}, before the gRPC server's: the work is going before the server takes its first call and
 * goes on while the server drains the last ones. The component starter's drain runs earlier still, on the
 * context's closed event, before any lifecycle stops.
 * <p>
 * Not restartable: once stopped, the work stays stopped. Thread-safe: the context starts and stops it one call at a
 * time.
 */
public final class BackgroundWork implements SmartLifecycle {

	/**
	 * Before the gRPC server's lifecycle, which runs in {@link SmartLifecycle#DEFAULT_PHASE}; the same margin Spring
	 * Boot leaves below it for its web server.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

	private final Runnable open;

	private final Runnable close;

	private volatile boolean running;

	private BackgroundWork(Runnable open, Runnable close) {
		this.open = Objects.requireNonNull(open, "open");
		this.close = Objects.requireNonNull(close, "close");
	}

	/**
	 * @param open starts the work (opens the stream, schedules the first run) and returns at once; a stream
	 * reconnects by itself
	 * @param close stops it; called once, on stop
	 */
	public static BackgroundWork of(Runnable open, Runnable close) {
		return new BackgroundWork(open, close);
	}

	@Override
	public void start() {
		this.open.run();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.close.run();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
