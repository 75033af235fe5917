package dev.switchboard.client.connection;

import java.util.Objects;

import org.springframework.context.SmartLifecycle;

/**
 * A stream a process keeps open to the platform (the registry's Watch, auth's revocations), opened when the
 * application context starts and closed when it stops, never while beans are still being made.
 * <p>
 * It runs in {@link #PHASE}, before the gRPC server's: the stream is open before the server takes its first call and
 * stays open while the server drains the last ones. The component starter's drain runs earlier still, on the
 * context's closed event, before any lifecycle stops.
 * <p>
 * Not restartable: once stopped, the stream stays closed. Thread-safe: the context starts and stops it one call at a
 * time.
 */
public final class BackgroundStream implements SmartLifecycle {

	/**
	 * Before the gRPC server's lifecycle, which runs in {@link SmartLifecycle#DEFAULT_PHASE}; the same margin Spring
	 * Boot leaves below it for its web server.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

	private final Runnable open;

	private final Runnable close;

	private volatile boolean running;

	private BackgroundStream(Runnable open, Runnable close) {
		this.open = Objects.requireNonNull(open, "open");
		this.close = Objects.requireNonNull(close, "close");
	}

	/**
	 * @param open opens the stream and returns at once; the stream reconnects by itself
	 * @param close closes the stream; called once, on stop
	 */
	public static BackgroundStream of(Runnable open, Runnable close) {
		return new BackgroundStream(open, close);
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
