package dev.switchboard.client.connection;

import java.time.Duration;
import java.time.Instant;

import dev.switchboard.client.connection.ClientConnectionsDescriptor.HeldConnection;
import dev.switchboard.client.testing.EchoServer;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ClientConnectionStatisticsTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");

	private ClientConnectionManager manager;

	@AfterEach
	void closeManager() {
		this.manager.closeAll();
		this.manager.close();
	}

	private ClientConnectionManager manager(boolean captureOrigin) {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard()
			.withHeldThreshold(Duration.ofMinutes(10))
			.withCaptureOrigin(captureOrigin), this.server.channelFactory(), this.clock);
		return this.manager;
	}

	@Test
	void whenAConnectionOutlivesTheHeldThresholdThenItIsReportedAsHeld() {
		ClientConnectionManager manager = manager(false);
		ClientConnection old = manager.acquire("orders", this.server.target());
		this.clock.advance(Duration.ofMinutes(2));
		Instant used = this.clock.instant();
		EchoServer.echo(old.channel(), "hello");
		this.clock.advance(Duration.ofMinutes(8));
		ClientConnection young = manager.acquire("billing", this.server.target());
		assertThat(manager.describe().held()).isEmpty(); // exactly at the threshold is not past it
		this.clock.advance(Duration.ofSeconds(1));
		ClientConnectionsDescriptor description = manager.describe();
		assertThat(description.held()).singleElement().satisfies((held) -> {
			assertThat(held.id()).isEqualTo(Long.toString(old.id()));
			assertThat(held.service()).isEqualTo("orders");
			assertThat(held.target()).isEqualTo(this.server.target());
			assertThat(held.age()).isEqualTo(Duration.ofMinutes(10).plusSeconds(1));
			assertThat(held.lastUsedAt()).isEqualTo(used);
			assertThat(held.calls()).isEqualTo(1);
			assertThat(held.origin()).isEmpty();
		});
		assertThat(description.connections()).extracting(ClientConnectionsDescriptor.ConnectionDescriptor::id)
			.containsExactly(Long.toString(old.id()), Long.toString(young.id()));
	}

	@Test
	void whenOriginsAreCapturedThenAHeldConnectionShowsTheCodeThatOpenedIt() {
		ClientConnectionManager manager = manager(true);
		ClientConnection connection = manager.acquire("orders", this.server.target());
		this.clock.advance(Duration.ofMinutes(11));
		HeldConnection held = manager.describe().held().get(0);
		assertThat(held.origin()).isNotEmpty();
		assertThat(held.origin().get(0))
			.contains(getClass().getName() + ".whenOriginsAreCapturedThenAHeldConnectionShowsTheCodeThatOpenedIt");
		assertThat(held.origin()).noneSatisfy(
				(frame) -> assertThat(frame).contains(ClientConnectionManager.class.getName()));
		assertThat(connection.origin()).hasSize(held.origin().size());
	}

	@Test
	void whenOpeningAndClosingOverMinutesThenRatesAverageOverOneAndFiveMinutes() {
		ClientConnectionManager manager = manager(false);
		// 120 opens four minutes ago, then 30 opens and 30 closes in the last minute
		for (int i = 0; i < 60; i++) {
			manager.open("orders", this.server.target());
			manager.open("orders", this.server.target()).close();
		}
		this.clock.advance(Duration.ofMinutes(4));
		for (int i = 0; i < 30; i++) {
			manager.open("orders", this.server.target()).close();
			this.clock.advance(Duration.ofSeconds(1));
		}
		ClientConnectionsDescriptor description = manager.describe();
		assertThat(description.opensPerSecond().oneMinute()).isCloseTo(30 / 60.0, within(1e-9));
		assertThat(description.opensPerSecond().fiveMinutes()).isCloseTo(150 / 300.0, within(1e-9));
		assertThat(description.closesPerSecond().oneMinute()).isCloseTo(30 / 60.0, within(1e-9));
		assertThat(description.closesPerSecond().fiveMinutes()).isCloseTo(90 / 300.0, within(1e-9));
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(manager.describe().opensPerSecond().fiveMinutes()).isZero();
	}

	@Test
	void whenConnectionsComeAndGoThenPeaksPerServiceAndOverallAreKept() {
		ClientConnectionManager manager = manager(false);
		ClientConnection a = manager.open("orders", this.server.target());
		ClientConnection b = manager.open("orders", this.server.target());
		ClientConnection c = manager.open("orders", this.server.target());
		ClientConnection d = manager.open("billing", this.server.target());
		a.close();
		b.close();
		c.close();
		manager.open("billing", this.server.target());
		ClientConnectionsDescriptor description = manager.describe();
		assertThat(description.services()).containsOnlyKeys("billing", "orders");
		assertThat(description.services().get("orders")).isEqualTo(new ServiceStatistics(0, 3, 3, 3, 0));
		assertThat(description.services().get("billing")).isEqualTo(new ServiceStatistics(2, 2, 2, 0, 0));
		assertThat(description.peak()).isEqualTo(4);
		assertThat(description.live()).isEqualTo(2);
		assertThat(d.isClosed()).isFalse();
	}

}
