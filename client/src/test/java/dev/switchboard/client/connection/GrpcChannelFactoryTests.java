package dev.switchboard.client.connection;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import dev.switchboard.client.testing.EchoServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The default factory over a real transport (shaded Netty, test scope only) on a loopback port. */
class GrpcChannelFactoryTests {

	private Server server;

	private ClientConnectionManager manager;

	@AfterEach
	void stop() {
		if (this.manager != null) {
			this.manager.closeAll();
			this.manager.close();
		}
		if (this.server != null) {
			this.server.shutdownNow();
		}
	}

	@Test
	void whenAPlaintextServiceIsConfiguredThenTheDefaultFactoryReachesIt() throws Exception {
		this.server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(ServerServiceDefinition.builder("test.EchoService")
				.addMethod(EchoServer.ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
					response.onNext(request.toUpperCase());
					response.onCompleted();
				}))
				.build())
			.build()
			.start();
		ClientSettings orders = ClientSettings.forAddress("localhost:" + this.server.getPort())
			.withDeadline(Duration.ofSeconds(10))
			.withKeepalive(Duration.ofSeconds(30), Duration.ofSeconds(5))
			.withIdleTimeout(Duration.ofMinutes(1))
			.withMaxInboundMessageSize(1024);
		this.manager = new ClientConnectionManager(
				ConnectionManagerSettings.standard().withService("orders", orders));
		ClientConnection connection = this.manager.acquire("orders");
		assertThat(EchoServer.echo(connection.channel(), "hello")).isEqualTo("HELLO");
		assertThat(connection.state()).isEqualTo(ConnectionState.CONNECTED);
	}

	@Test
	void whenTheTrustCertificatesCannotBeReadThenOpeningFailsNamingTheFileAndHoldsNoSlot(@TempDir Path dir) {
		Path missing = dir.resolve("missing-ca.pem");
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard()
			.withMaxConnectionsPerService(1)
			.withDefaults(ClientSettings.unset().withTls(ClientSettings.Tls.trusting(missing))),
				ChannelFactory.grpc(), Clock.systemUTC());
		assertThatExceptionOfType(UncheckedIOException.class)
			.isThrownBy(() -> this.manager.acquire("orders", "localhost:1"))
			.withMessage("cannot read trust certificates " + missing);
		assertThatExceptionOfType(UncheckedIOException.class)
			.isThrownBy(() -> this.manager.acquire("orders", "localhost:1"));
		assertThat(this.manager.live()).isZero();
	}

}
