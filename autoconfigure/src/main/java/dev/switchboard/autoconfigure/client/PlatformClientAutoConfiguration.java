package dev.switchboard.autoconfigure.client;

import java.time.Clock;

import dev.switchboard.autoconfigure.connection.ClientConnectionAutoConfiguration;
import dev.switchboard.client.auth.BearerTokenCredentials;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.registry.RegistryChannels;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The process's way into the platform, from {@code switchboard.client.*}: its {@link TokenSource} (when a client id is
 * set) and its {@link RegistryChannels}, one channel over every registry replica carrying that token. Every platform
 * process gets them the same way, whether it is a component or not; the registry service turns its client off
 * ({@value PlatformClientProperties#REGISTRY_ENABLED}{@code =false}).
 */
@AutoConfiguration(after = ClientConnectionAutoConfiguration.class)
@EnableConfigurationProperties(PlatformClientProperties.class)
public final class PlatformClientAutoConfiguration {

	/** The process's tokens, when a client is configured under {@code switchboard.client.credentials}. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "switchboard.client.credentials.client-id")
	TokenSource switchboardTokenSource(PlatformClientProperties properties) {
		PlatformClientProperties.Credentials credentials = properties.credentials();
		if (credentials.clientSecret() == null) {
			throw new IllegalStateException("switchboard.client.credentials.client-secret is not set "
					+ "(SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET in the environment)");
		}
		return new TokenSource(credentials.tokenUri(), credentials.clientId(), credentials.clientSecret(),
				Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ClientConnectionManager.class)
	@ConditionalOnBooleanProperty(name = PlatformClientProperties.REGISTRY_ENABLED, matchIfMissing = true)
	RegistryChannels switchboardRegistryChannels(PlatformClientProperties properties, ClientConnectionManager manager,
			ObjectProvider<TokenSource> tokens) {
		TokenSource source = tokens.getIfAvailable();
		return RegistryChannels.managedBy(manager, properties.registry().addresses(),
				(source != null) ? new BearerTokenCredentials(source) : null);
	}

}
