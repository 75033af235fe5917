package dev.switchboard.autoconfigure.connection;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.ClientConnection;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ClientConnectionMetrics;
import dev.switchboard.client.connection.ClientSettings;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.testing.EchoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionAutoConfigurationTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClientConnectionAutoConfiguration.class));

	@Test
	void whenNothingIsDefinedThenAManagerIsCreatedWithTheDefaults() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ClientConnectionManager.class);
			ConnectionManagerSettings settings = context.getBean(ClientConnectionManager.class).settings();
			assertThat(settings).isEqualTo(ConnectionManagerSettings.standard());
		});
	}

	@Test
	void whenPropertiesAreSetThenTheyAreBoundIntoTheManagersSettings() {
		this.contextRunner
			.withPropertyValues("switchboard.grpc.clients.defaults.deadline=5s",
					"switchboard.grpc.clients.defaults.keepalive-time=30s",
					"switchboard.grpc.clients.defaults.keepalive-timeout=10s",
					"switchboard.grpc.clients.defaults.idle-timeout=5m",
					"switchboard.grpc.clients.defaults.max-inbound-message-size=8MB",
					"switchboard.grpc.clients.defaults.tls.enabled=true",
					"switchboard.grpc.clients.defaults.tls.trust-certificates=/etc/switchboard/ca.pem",
					"switchboard.grpc.clients.orders.address=dns:///orders:9000",
					"switchboard.grpc.clients.orders.deadline=1s",
					"switchboard.grpc.clients.orders.tls.enabled=false",
					"switchboard.grpc.manager.max-connections=100",
					"switchboard.grpc.manager.max-connections-per-service=7",
					"switchboard.grpc.manager.held-threshold=1h",
					"switchboard.grpc.manager.capture-origin=true",
					"switchboard.grpc.manager.close-timeout=2s")
			.run((context) -> {
				ConnectionManagerSettings settings = context.getBean(ClientConnectionManager.class).settings();
				assertThat(settings.maxConnections()).isEqualTo(100);
				assertThat(settings.maxConnectionsPerService()).isEqualTo(7);
				assertThat(settings.heldThreshold()).isEqualTo(Duration.ofHours(1));
				assertThat(settings.captureOrigin()).isTrue();
				assertThat(settings.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(settings.services()).containsOnlyKeys("orders");
				ClientSettings orders = settings.resolve("orders");
				assertThat(orders.address()).isEqualTo("dns:///orders:9000");
				assertThat(orders.deadline()).isEqualTo(Duration.ofSeconds(1));
				assertThat(orders.keepaliveTime()).isEqualTo(Duration.ofSeconds(30));
				assertThat(orders.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(10));
				assertThat(orders.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
				assertThat(orders.maxInboundMessageSize()).isEqualTo(8 * 1024 * 1024);
				assertThat(orders.tlsEnabled()).isFalse();
				ClientSettings billing = settings.resolve("billing");
				assertThat(billing.address()).isNull();
				assertThat(billing.deadline()).isEqualTo(Duration.ofSeconds(5));
				assertThat(billing.tlsEnabled()).isTrue();
				assertThat(billing.tls().trustCertificates()).isEqualTo(Path.of("/etc/switchboard/ca.pem"));
			});
	}

	@Test
	void whenTheUserDefinesAManagerThenTheAutoConfigurationBacksOff() {
		ClientConnectionManager own = new ClientConnectionManager(ConnectionManagerSettings.standard());
		this.contextRunner.withBean("ownManager", ClientConnectionManager.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(ClientConnectionManager.class);
			assertThat(context.getBean(ClientConnectionManager.class)).isSameAs(own);
		});
	}

	@Test
	void whenTheManagerIsDisabledThenNoneIsCreated() {
		this.contextRunner.withPropertyValues("switchboard.grpc.manager.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientConnectionManager.class));
	}

	@Test
	void whenAChannelFactoryBeanIsDefinedThenTheManagerOpensItsChannelsWithIt() {
		this.contextRunner.withBean(ChannelFactory.class, this.server::channelFactory)
			.withPropertyValues("switchboard.grpc.clients.echo.address=" + this.server.target())
			.run((context) -> {
				ClientConnection connection = context.getBean(ClientConnectionManager.class).acquire("echo");
				assertThat(EchoServer.echo(connection.channel(), "hello")).isEqualTo("hello");
			});
	}

	@Test
	void whenTheContextClosesThenTheManagerClosesItsConnections() {
		ClientConnection[] opened = new ClientConnection[1];
		this.contextRunner.withBean(ChannelFactory.class, this.server::channelFactory)
			.run((context) -> opened[0] = context.getBean(ClientConnectionManager.class)
				.acquire("echo", this.server.target()));
		assertThat(opened[0].isClosed()).isTrue();
	}

	@Test
	void whenTheEndpointIsExposedThenItIsCreated() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=grpcclients")
			.run((context) -> assertThat(context).hasSingleBean(ClientConnectionsEndpoint.class));
	}

	@Test
	void whenTheEndpointIsNotExposedThenItIsNotCreated() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ClientConnectionsEndpoint.class));
	}

	@Test
	void whenAMeterRegistryIsPresentThenTheMetricsAreCreated() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(ClientConnectionMetrics.class));
	}

	@Test
	void whenNoMeterRegistryIsPresentThenNoMetricsAreCreated() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ClientConnectionMetrics.class));
	}

	@Test
	void whenTheUserDefinesMetricsThenTheAutoConfigurationBacksOff() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean("ownMetrics", ClientConnectionMetrics.class,
					() -> new ClientConnectionMetrics(new ClientConnectionManager(ConnectionManagerSettings.standard(),
							ChannelFactory.grpc(), Clock.systemUTC())))
			.run((context) -> assertThat(context).getBean(ClientConnectionMetrics.class)
				.isSameAs(context.getBean("ownMetrics")));
	}

}
