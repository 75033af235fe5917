package dev.switchboard.client.connection;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.testing.EchoServer;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultDeadlineTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private ClientConnectionManager manager;

	@AfterEach
	void closeManager() {
		this.manager.closeAll();
		this.manager.close();
	}

	private ClientConnection connection(ClientSettings defaults) {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard().withDefaults(defaults),
				this.server.channelFactory(), Clock.systemUTC());
		return this.manager.acquire("orders", this.server.target());
	}

	@Test
	void whenTheCallerSetsNoDeadlineThenTheConfiguredOneIsApplied() {
		ClientConnection connection = connection(ClientSettings.unset().withDeadline(Duration.ofSeconds(3)));
		EchoServer.echo(connection.channel(), "hello");
		Deadline deadline = this.server.lastDeadline();
		assertThat(deadline).isNotNull();
		assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isBetween(2_000L, 3_000L);
	}

	@Test
	void whenTheCallerSetsADeadlineThenItIsKept() {
		ClientConnection connection = connection(ClientSettings.unset().withDeadline(Duration.ofSeconds(3)));
		EchoServer.echo(connection.channel(), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), "hello");
		assertThat(this.server.lastDeadline().timeRemaining(TimeUnit.SECONDS)).isBetween(50L, 60L);
	}

	@Test
	void whenTheContextCarriesADeadlineThenItIsKept() throws Exception {
		ClientConnection connection = connection(ClientSettings.unset().withDeadline(Duration.ofSeconds(3)));
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
		Context.CancellableContext context = Context.current().withDeadlineAfter(60, TimeUnit.SECONDS, scheduler);
		try {
			context.call(() -> EchoServer.echo(connection.channel(), "hello"));
		}
		finally {
			context.cancel(null);
			scheduler.shutdownNow();
		}
		assertThat(this.server.lastDeadline().timeRemaining(TimeUnit.SECONDS)).isBetween(50L, 60L);
	}

	@Test
	void whenNoDeadlineIsConfiguredThenCallsHaveNone() {
		ClientConnection connection = connection(ClientSettings.unset());
		EchoServer.echo(connection.channel(), "hello");
		assertThat(this.server.lastDeadline()).isNull();
		assertThat(connection.calls()).isEqualTo(1);
	}

}
