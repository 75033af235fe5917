package dev.switchboard.client.connection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

class BackgroundWorkTests {

	private final List<String> events = new CopyOnWriteArrayList<>();

	@Test
	void whenContextRefreshedThenStreamOpensBeforeTheServerStarts() {
		try (GenericApplicationContext context = context()) {
			context.refresh();
			assertThat(this.events).containsExactly("stream opened", "server started");
			assertThat(context.getBean(BackgroundWork.class).isRunning()).isTrue();
		}
	}

	@Test
	void whenContextClosedThenStreamClosesAfterTheServerStopped() {
		GenericApplicationContext context = context();
		context.refresh();
		BackgroundWork stream = context.getBean(BackgroundWork.class);
		context.close();
		assertThat(this.events).containsExactly("stream opened", "server started", "server stopped",
				"stream closed");
		assertThat(stream.isRunning()).isFalse();
	}

	private GenericApplicationContext context() {
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean("stream", BackgroundWork.class,
				() -> BackgroundWork.of(() -> this.events.add("stream opened"),
						() -> this.events.add("stream closed")));
		context.registerBean("server", GrpcServerLike.class, () -> new GrpcServerLike(this.events));
		return context;
	}

	/** Starts and stops in the phase of Spring gRPC's server lifecycle. */
	static final class GrpcServerLike implements SmartLifecycle {

		private final List<String> events;

		private volatile boolean running;

		GrpcServerLike(List<String> events) {
			this.events = events;
		}

		@Override
		public void start() {
			this.events.add("server started");
			this.running = true;
		}

		@Override
		public void stop() {
			this.events.add("server stopped");
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

	}

}
