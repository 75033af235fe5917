package dev.switchboard.client.connection;

import java.time.Clock;

import dev.switchboard.client.testing.EchoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionMetricsTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private final MeterRegistry registry = new SimpleMeterRegistry();

	private ClientConnectionManager manager;

	@AfterEach
	void closeManager() {
		this.manager.closeAll();
		this.manager.close();
	}

	private ClientConnectionManager manager() {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(), this.server.channelFactory(),
				Clock.systemUTC());
		return this.manager;
	}

	@Test
	void whenConnectionsOpenCloseAndCallThenTheMetersOfTheirServiceFollow() {
		ClientConnectionManager manager = manager();
		new ClientConnectionMetrics(manager).bindTo(this.registry);
		assertThat(this.registry.find(ClientConnectionMetrics.CONNECTIONS).gauges()).isEmpty();
		ClientConnection shared = manager.acquire("orders", this.server.target());
		manager.open("orders", this.server.target()).close();
		manager.open("billing", this.server.target());
		EchoServer.echo(shared.channel(), "one");
		EchoServer.echo(shared.channel(), "two");

		assertThat(gauge(ClientConnectionMetrics.CONNECTIONS, "orders")).isEqualTo(1);
		assertThat(gauge(ClientConnectionMetrics.PEAK, "orders")).isEqualTo(2);
		assertThat(counter(ClientConnectionMetrics.OPENED, "orders")).isEqualTo(2);
		assertThat(counter(ClientConnectionMetrics.CLOSED, "orders")).isEqualTo(1);
		assertThat(counter(ClientConnectionMetrics.CALLS, "orders")).isEqualTo(2);
		assertThat(gauge(ClientConnectionMetrics.CONNECTIONS, "billing")).isEqualTo(1);
		assertThat(counter(ClientConnectionMetrics.CALLS, "billing")).isZero();
	}

	@Test
	void whenBoundAfterServicesHadConnectionsThenTheirMetersAreRegisteredToo() {
		ClientConnectionManager manager = manager();
		manager.acquire("orders", this.server.target());
		new ClientConnectionMetrics(manager).bindTo(this.registry);
		assertThat(gauge(ClientConnectionMetrics.CONNECTIONS, "orders")).isEqualTo(1);
		assertThat(this.registry.find(ClientConnectionMetrics.OPENED).functionCounters()).hasSize(1);
	}

	private double gauge(String name, String service) {
		return this.registry.get(name).tag("service", service).gauge().value();
	}

	private double counter(String name, String service) {
		return this.registry.get(name).tag("service", service).functionCounter().count();
	}

}
