package dev.switchboard.client.connection;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ClientSettingsTests {

	private final ClientSettings defaults = new ClientSettings("dns:///default:9000", Duration.ofSeconds(5),
			Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5), 4_194_304,
			ClientSettings.Tls.trusting(Path.of("/etc/ca.pem")));

	@Test
	void whenAServiceSetsAValueThenItOverridesTheDefault() {
		ConnectionManagerSettings settings = ConnectionManagerSettings.standard()
			.withDefaults(this.defaults)
			.withService("orders", ClientSettings.forAddress("orders:9000").withDeadline(Duration.ofSeconds(1)));
		ClientSettings orders = settings.resolve("orders");
		assertThat(orders.address()).isEqualTo("orders:9000");
		assertThat(orders.deadline()).isEqualTo(Duration.ofSeconds(1));
		assertThat(orders.keepaliveTime()).isEqualTo(Duration.ofSeconds(30));
		assertThat(orders.keepaliveTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(orders.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
		assertThat(orders.maxInboundMessageSize()).isEqualTo(4_194_304);
		assertThat(orders.tlsEnabled()).isTrue();
	}

	@Test
	void whenAServiceIsNotConfiguredThenItGetsTheDefaults() {
		ConnectionManagerSettings settings = ConnectionManagerSettings.standard().withDefaults(this.defaults);
		assertThat(settings.resolve("billing")).isEqualTo(this.defaults);
	}

	@Test
	void whenAServiceOverridesOneTlsValueThenTheOtherComesFromTheDefaults() {
		ClientSettings plaintext = ClientSettings.unset().withTls(ClientSettings.Tls.disabled()).orElse(this.defaults);
		assertThat(plaintext.tlsEnabled()).isFalse();
		ClientSettings otherRoots = ClientSettings.unset()
			.withTls(new ClientSettings.Tls(null, Path.of("/etc/other.pem")))
			.orElse(this.defaults);
		assertThat(otherRoots.tlsEnabled()).isTrue();
		assertThat(otherRoots.tls().trustCertificates()).isEqualTo(Path.of("/etc/other.pem"));
	}

	@Test
	void whenNothingIsSetThenTlsIsOff() {
		assertThat(ClientSettings.unset().tlsEnabled()).isFalse();
		assertThat(ClientSettings.unset().orElse(ClientSettings.unset())).isEqualTo(ClientSettings.unset());
	}

	@Test
	void whenAValueIsNotPositiveThenItIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ClientSettings.unset().withDeadline(Duration.ZERO))
			.withMessage("deadline must be positive: PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> ClientSettings.unset().withMaxInboundMessageSize(0));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ConnectionManagerSettings.standard().withMaxConnectionsPerService(0))
			.withMessage("maxConnectionsPerService must be positive: 0");
	}

}
