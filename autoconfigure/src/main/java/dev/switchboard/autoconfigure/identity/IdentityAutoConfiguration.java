package dev.switchboard.autoconfigure.identity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import dev.switchboard.autoconfigure.connection.ClientConnectionAutoConfiguration;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.identity.CertificateIssuer;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.client.identity.PeerAuthorization;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.client.identity.RemoteCertificateIssuer;
import dev.switchboard.client.identity.SpiffeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.StringUtils;

/**
 * Gives the process its platform identity: a certificate from the platform CA, renewed in place, presented by the
 * gRPC server (the {@value #SSL_BUNDLE} SSL bundle, which {@link IdentityEnvironmentPostProcessor} makes the server's
 * default) and by every channel the connection manager opens, each of which accepts only a server of the group it
 * was opened for. Off with {@code switchboard.identity.enabled=false}, for tests without an auth service.
 */
@AutoConfiguration(before = ClientConnectionAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "switchboard.identity.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdentityProperties.class)
public final class IdentityAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(IdentityAutoConfiguration.class);

	/** The SSL bundle of the platform identity, for {@code spring.grpc.server.ssl.bundle}. */
	public static final String SSL_BUNDLE = "switchboard-identity";

	@Bean
	@ConditionalOnMissingBean
	PlatformTrust switchboardPlatformTrust(IdentityProperties properties) {
		if (properties.trustBundle() == null) {
			throw new IllegalStateException("switchboard.identity.trust-bundle is not set: point it at the platform "
					+ "CA's PEM file (the launcher writes .switchboard/ca.pem), or set switchboard.identity.enabled=false "
					+ "to run without mutual TLS");
		}
		awaitFile(properties.trustBundle(), properties.startTimeout());
		return PlatformTrust.fromFile(properties.trustDomain(), properties.trustBundle());
	}

	/**
	 * Waits for the trust bundle auth writes, for processes started beside auth (compose starts the registries at
	 * the same time); gives up after {@code timeout}, and {@link PlatformTrust#fromFile} then says what is missing.
	 */
	private static void awaitFile(Path file, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		boolean logged = false;
		while (!Files.isReadable(file) && System.nanoTime() < deadline) {
			if (!logged) {
				logger.info("Waiting up to {} for the platform's trust bundle {}", timeout, file);
				logged = true;
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	CertificateIssuer switchboardCertificateIssuer(IdentityProperties properties, PlatformTrust trust,
			ObjectProvider<TokenSource> tokens) {
		TokenSource source = tokens.getIfAvailable();
		if (source == null) {
			throw new IllegalStateException("the platform identity needs client credentials to ask the CA "
					+ "(switchboard.client.credentials.client-id and client-secret)");
		}
		return new RemoteCertificateIssuer(properties.caAddresses(), source, trust, properties.timeout().toMillis());
	}

	/** The renewal thread. */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler switchboardIdentityScheduler() {
		return PlatformSchedulers.daemon("switchboard-identity-");
	}

	/**
	 * Gets the first certificate before anything that serves or calls is built: creating this bean blocks. Renewals
	 * start with the context ({@link #switchboardIdentityRenewals}).
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	PlatformIdentity switchboardPlatformIdentity(IdentityProperties properties, PlatformTrust trust,
			CertificateIssuer issuer, Environment environment) {
		SpiffeId id = SpiffeId.of(properties.trustDomain(), group(properties, environment),
				instance(properties, environment));
		PlatformIdentity identity = new PlatformIdentity(id, issuer, trust, properties.renewAt(), Clock.systemUTC());
		identity.obtain(properties.startTimeout());
		return identity;
	}

	/**
	 * Renews the certificate from when the context starts until it stops, after the gRPC server has drained: a
	 * process that serves until then presents a valid certificate until then.
	 */
	@Bean
	BackgroundWork switchboardIdentityRenewals(PlatformIdentity identity,
			@Qualifier("switchboardIdentityScheduler") ThreadPoolTaskScheduler switchboardIdentityScheduler) {
		return BackgroundWork.of(() -> identity.renewOn(switchboardIdentityScheduler.getScheduledExecutor()),
				identity::stopRenewing);
	}

	@Bean
	@ConditionalOnMissingBean
	IdentityChannelCredentials switchboardIdentityChannelCredentials(PlatformIdentity identity) {
		return new IdentityChannelCredentials(identity);
	}

	/**
	 * Channels for platform services are mutual TLS expecting the group they are opened for; a service whose
	 * settings configure TLS themselves ({@code switchboard.grpc.clients.<name>.tls.*}) keeps those.
	 */
	@Bean
	@ConditionalOnMissingBean
	ChannelFactory switchboardIdentityChannelFactory(IdentityChannelCredentials credentials) {
		return ChannelFactory.grpc(credentials::forService, (builder) -> {
		});
	}

	@Bean
	SslBundleRegistrar switchboardIdentitySslBundle(PlatformIdentity identity) {
		return (registry) -> registry.registerBundle(SSL_BUNDLE, SslBundle.of(null, null, null, null,
				SslManagerBundle.of(identity.keyManagerFactory(), identity.trust().trustManagerFactory())));
	}

	/**
	 * A component's server takes calls from the router and the groups it lists; a server that accepts any caller
	 * (registry, auth, the router's front door) only makes the peer's identity known. Either way it runs first, so
	 * nothing reads {@code x-switchboard-principal} before a non-router's is removed.
	 */
	@Bean
	@GlobalServerInterceptor
	@Order(Ordered.HIGHEST_PRECEDENCE)
	@ConditionalOnMissingBean
	@ConditionalOnClass(name = "io.grpc.Server")
	PeerAuthorization switchboardPeerAuthorization(IdentityProperties properties) {
		return properties.acceptAnyCaller() ? PeerAuthorization.identifying()
				: PeerAuthorization.callersIn(Set.copyOf(properties.allowedCallers()));
	}

	static String group(IdentityProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.group())) {
			return properties.group();
		}
		String group = environment.getProperty("switchboard.component.group");
		return StringUtils.hasText(group) ? group : environment.getRequiredProperty("spring.application.name");
	}

	static String instance(IdentityProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.instanceId())) {
			return properties.instanceId();
		}
		String instance = environment.getProperty("switchboard.component.instance-id");
		if (StringUtils.hasText(instance)) {
			return instance;
		}
		return group(properties, environment) + "-" + hostName() + "-" + ProcessHandle.current().pid();
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

}
