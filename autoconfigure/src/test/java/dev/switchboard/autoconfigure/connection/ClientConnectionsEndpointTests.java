package dev.switchboard.autoconfigure.connection;

import java.time.Duration;

import dev.switchboard.client.connection.ClientConnection;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.testing.EchoServer;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionsEndpointTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");

	private final ClientConnectionManager manager = new ClientConnectionManager(
			ConnectionManagerSettings.standard().withMaxConnectionsPerService(8).withCaptureOrigin(true),
			(target, settings) -> EchoServer.inProcessChannel(this.server.target(), settings), this.clock);

	@AfterEach
	void closeManager() {
		this.manager.closeAll();
		this.manager.close();
	}

	@Test
	void whenReadThenTheJsonHasTotalsPerServiceLivePeakConnectionsAndHeldOnes() {
		ClientConnection held = this.manager.acquire("orders", "orders-1");
		EchoServer.echo(held.channel(), "hello");
		EchoServer.echo(held.channel(), "again");
		this.clock.advance(Duration.ofMinutes(11));
		this.manager.open("orders", "orders-2").close();
		ClientConnection billing = this.manager.acquire("billing", "billing-1");

		JsonNode json = JsonMapper.builder().build().valueToTree(new ClientConnectionsEndpoint(this.manager).connections());

		assertThat(json.get("timestamp").asString()).isEqualTo("2026-01-01T00:11:00Z");
		assertThat(json.get("live").asInt()).isEqualTo(2);
		assertThat(json.get("peak").asInt()).isEqualTo(2);
		assertThat(json.get("opened").asLong()).isEqualTo(3);
		assertThat(json.get("closed").asLong()).isEqualTo(1);
		assertThat(json.get("maxConnections").asInt()).isEqualTo(1024);
		assertThat(json.get("maxConnectionsPerService").asInt()).isEqualTo(8);
		assertThat(json.at("/opensPerSecond/oneMinute").asDouble()).isEqualTo(2 / 60.0);
		assertThat(json.at("/closesPerSecond/fiveMinutes").asDouble()).isEqualTo(1 / 300.0);
		assertThat(json.at("/services/orders/live").asInt()).isEqualTo(1);
		assertThat(json.at("/services/orders/peak").asInt()).isEqualTo(2);
		assertThat(json.at("/services/orders/calls").asLong()).isEqualTo(2);
		assertThat(json.at("/services/billing/live").asInt()).isEqualTo(1);
		assertThat(json.get("connections")).hasSize(2);
		assertThat(json.at("/connections/0/id").asString()).isEqualTo(Long.toString(held.id()));
		assertThat(json.at("/connections/0/state").asString()).isEqualTo("CONNECTED");
		assertThat(json.at("/connections/0/connectivity").asString()).isEqualTo("READY");
		assertThat(json.at("/connections/0/calls").asLong()).isEqualTo(2);
		assertThat(json.at("/connections/1/id").asString()).isEqualTo(Long.toString(billing.id()));
		assertThat(json.at("/connections/1/state").asString()).isEqualTo("IDLE");
		assertThat(json.get("held")).hasSize(1);
		assertThat(json.at("/held/0/id").asString()).isEqualTo(Long.toString(held.id()));
		assertThat(json.at("/held/0/service").asString()).isEqualTo("orders");
		assertThat(json.at("/held/0/lastUsedAt").asString()).isEqualTo("2026-01-01T00:00:00Z");
		assertThat(json.at("/held/0/age").asString()).isEqualTo("PT11M");
		assertThat(json.at("/held/0/origin/0").asString()).contains(getClass().getName());
	}

}
