package dev.switchboard.autoconfigure.client;

import java.net.URI;
import java.util.List;

import dev.switchboard.autoconfigure.connection.ClientConnectionAutoConfiguration;
import dev.switchboard.autoconfigure.registry.RegistryWatcherAutoConfiguration;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.contracts.DefaultPorts;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformClientAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClientConnectionAutoConfiguration.class,
				PlatformClientAutoConfiguration.class, RegistryWatcherAutoConfiguration.class));

	@Test
	void whenNothingIsSetThenOneRegistryChannelToTheDefaultAddressAndNoToken() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(RegistryChannels.class)
				.hasSingleBean(RegistryWatcher.class)
				.doesNotHaveBean(TokenSource.class);
			RegistryChannels channels = context.getBean(RegistryChannels.class);
			assertThat(channels.addresses()).containsExactly(DefaultPorts.REGISTRY_ADDRESS);
			// the registry's one channel is the process's connection manager's, counted as service "registry"
			channels.channel();
			assertThat(context.getBean(ClientConnectionManager.class).connections(RegistryChannels.SERVICE))
				.hasSize(1);
		});
	}

	@Test
	void whenAddressesAndCredentialsAreSetThenTheChannelSpansEveryReplicaAndTheTokenSourceHasTheClient() {
		this.runner
			.withPropertyValues("switchboard.client.registry.addresses=10.0.0.1:9101,10.0.0.2:9101",
					"switchboard.client.credentials.client-id=compute",
					"switchboard.client.credentials.client-secret=s3cret",
					"switchboard.client.credentials.token-uri=http://10.0.0.1:8102/oauth2/token")
			.run((context) -> {
				assertThat(context.getBean(RegistryChannels.class).addresses()).containsExactly("10.0.0.1:9101",
						"10.0.0.2:9101");
				PlatformClientProperties.Credentials credentials = context.getBean(PlatformClientProperties.class)
					.credentials();
				assertThat(credentials.tokenUri()).containsExactly(URI.create("http://10.0.0.1:8102/oauth2/token"));
				assertThat(context).hasSingleBean(TokenSource.class);
			});
	}

	@Test
	void whenAClientIdHasNoSecretThenTheContextFailsNamingTheVariable() {
		this.runner.withPropertyValues("switchboard.client.credentials.client-id=compute")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET"));
	}

	@Test
	void whenTheRegistryClientIsOffThenNeitherChannelsNorWatcher() {
		// the registry service itself: it asks the CA with its token, but never the registry
		this.runner
			.withPropertyValues("switchboard.client.registry.enabled=false",
					"switchboard.client.credentials.client-id=registry",
					"switchboard.client.credentials.client-secret=s3cret")
			.run((context) -> assertThat(context).hasSingleBean(TokenSource.class)
				.doesNotHaveBean(RegistryChannels.class)
				.doesNotHaveBean(RegistryWatcher.class));
	}

	@Test
	void whenTheConnectionManagerIsOffThenNoRegistryChannels() {
		this.runner.withPropertyValues("switchboard.grpc.manager.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RegistryChannels.class));
	}

	@Test
	void whenUserDefinesChannelsThenAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(CustomChannels.class)
			.run((context) -> assertThat(context.getBean(RegistryChannels.class))
				.isSameAs(context.getBean(CustomChannels.class).channels));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomChannels {

		final RegistryChannels channels = new RegistryChannels(List.of("127.0.0.1:2"),
				(target) -> ManagedChannelBuilder.forTarget(target).usePlaintext().build());

		@Bean
		RegistryChannels registryChannels() {
			return this.channels;
		}

	}

}
