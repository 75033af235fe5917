package dev.switchboard.autoconfigure.identity;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchboard.autoconfigure.connection.ClientConnectionAutoConfiguration;
import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.identity.CertificateIssuer;
import dev.switchboard.client.identity.PeerAuthorization;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.SpiffeId;
import dev.switchboard.client.testing.TestCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IdentityAutoConfigurationTests {

	private final TestCa ca = new TestCa("switchboard.local", Duration.ofHours(1));

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdentityAutoConfiguration.class,
				ClientConnectionAutoConfiguration.class, SslAutoConfiguration.class))
		.withPropertyValues("spring.application.name=compute");

	@TempDir
	Path folder;

	@Test
	void whenNoTrustBundleIsConfiguredThenStartupFailsSayingWhatToSet() {
		this.contextRunner.withBean(CertificateIssuer.class, () -> this.ca).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.identity.trust-bundle is not set");
		});
	}

	@Test
	void whenNoIssuerAndNoCredentialsThenStartupFailsSayingWhichClientIsMissing() throws Exception {
		this.contextRunner.withPropertyValues("switchboard.identity.trust-bundle=" + bundle()).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("switchboard.client.credentials.client-id");
		});
	}

	@Test
	void whenConfiguredThenTheIdentityNamesTheGroupAndInstanceAndServesTheSslBundle() throws Exception {
		this.contextRunner.withBean(CertificateIssuer.class, () -> this.ca)
			.withPropertyValues("switchboard.identity.trust-bundle=" + bundle(),
					"switchboard.component.instance-id=compute-7", "switchboard.identity.allowed-callers=volume")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PlatformIdentity identity = context.getBean(PlatformIdentity.class);
				assertThat(identity.id()).hasToString("spiffe://switchboard.local/group/compute/instance/compute-7");
				assertThat(SpiffeId.of(identity.certificate())).isEqualTo(identity.id());
				assertThat(context.getBean(SslBundles.class).getBundle(IdentityAutoConfiguration.SSL_BUNDLE)
					.getManagers()
					.getKeyManagerFactory()
					.getKeyManagers()).containsExactly(identity.keyManager());
				assertThat(context.getBean(PeerAuthorization.class).allowedGroups())
					.containsExactlyInAnyOrder("router", "volume");
				assertThat(context.getBean(ClientConnectionManager.class)).isNotNull();
				assertThat(context).hasSingleBean(ChannelFactory.class);
			});
	}

	@Test
	void whenTheServerAcceptsAnyCallerThenThePeerIsOnlyMadeKnown() throws Exception {
		this.contextRunner.withBean(CertificateIssuer.class, () -> this.ca)
			.withPropertyValues("switchboard.identity.trust-bundle=" + bundle(),
					"switchboard.identity.accept-any-caller=true")
			.run((context) -> assertThat(context.getBean(PeerAuthorization.class).allowedGroups()).isNull());
	}

	@Test
	void whenTheTrustBundleAppearsWhileStartingThenTheProcessWaitsForItOrFailsAfterTheStartTimeout() throws Exception {
		Path later = this.folder.resolve("later.pem");
		Thread writer = Thread.ofPlatform().start(() -> {
			try {
				Thread.sleep(500);
				Files.writeString(later, Pem.toPem(List.of(this.ca.certificate)));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		this.contextRunner.withBean(CertificateIssuer.class, () -> this.ca)
			.withPropertyValues("switchboard.identity.trust-bundle=" + later)
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(PlatformIdentity.class));
		writer.join();
		this.contextRunner.withBean(CertificateIssuer.class, () -> this.ca)
			.withPropertyValues("switchboard.identity.trust-bundle=" + this.folder.resolve("never.pem"),
					"switchboard.identity.start-timeout=300ms")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("never.pem"));
	}

	@Test
	void whenDisabledThenNothingIsCreatedAndChannelsStayAsConfigured() {
		this.contextRunner.withPropertyValues("switchboard.identity.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(PlatformIdentity.class);
			assertThat(context).doesNotHaveBean(PeerAuthorization.class);
			assertThat(context).doesNotHaveBean(ChannelFactory.class);
		});
	}

	@Test
	void whenEnabledThenTheGrpcServerDefaultsToTheIdentityBundleWithClientCertificatesRequired() {
		MockEnvironment environment = new MockEnvironment();
		new IdentityEnvironmentPostProcessor().postProcessEnvironment(environment, null);
		assertThat(environment.getProperty("spring.grpc.server.ssl.bundle"))
			.isEqualTo(IdentityAutoConfiguration.SSL_BUNDLE);
		assertThat(environment.getProperty("spring.grpc.server.ssl.client-auth")).isEqualTo("require");
		// the application's own settings win
		MockEnvironment router = new MockEnvironment().withProperty("spring.grpc.server.ssl.client-auth", "none");
		new IdentityEnvironmentPostProcessor().postProcessEnvironment(router, null);
		assertThat(router.getProperty("spring.grpc.server.ssl.client-auth")).isEqualTo("none");
		MockEnvironment disabled = new MockEnvironment().withProperty("switchboard.identity.enabled", "false");
		new IdentityEnvironmentPostProcessor().postProcessEnvironment(disabled, null);
		assertThat(disabled.getProperty("spring.grpc.server.ssl.bundle")).isNull();
	}

	@Test
	void whenTheContextRunsThenTheCertificateIsRenewedInTheBackgroundUntilItStops() throws Exception {
		// renewed two thirds into a 2 s life
		TestCa shortLived = new TestCa("switchboard.local", Duration.ofSeconds(2));
		Path file = this.folder.resolve("short-lived-ca.pem");
		Files.writeString(file, Pem.toPem(List.of(shortLived.certificate)));
		AtomicReference<PlatformIdentity> held = new AtomicReference<>();
		this.contextRunner.withBean(CertificateIssuer.class, () -> shortLived)
			.withPropertyValues("switchboard.identity.trust-bundle=" + file)
			.run((context) -> {
				PlatformIdentity identity = context.getBean(PlatformIdentity.class);
				held.set(identity);
				BigInteger first = identity.certificate().getSerialNumber();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> !identity.certificate().getSerialNumber().equals(first));
			});
		// the context has stopped: the renewal that was due next never comes
		BigInteger last = held.get().certificate().getSerialNumber();
		Duration untilPastDue = Duration.between(Instant.now(), held.get().renewalDue()).plusMillis(500);
		await().during(untilPastDue.isNegative() ? Duration.ZERO : untilPastDue)
			.atMost(Duration.ofSeconds(10))
			.until(() -> held.get().certificate().getSerialNumber().equals(last));
	}

	private Path bundle() throws Exception {
		Path file = this.folder.resolve("ca.pem");
		Files.writeString(file, Pem.toPem(List.of(this.ca.certificate)));
		return file;
	}

}
