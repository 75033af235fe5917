package dev.switchboard.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.switchboard.auth.actuate.AuthKeysEndpoint;
import dev.switchboard.auth.bootstrap.Bootstrap;
import dev.switchboard.auth.bootstrap.GroupSecrets;
import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.decision.Authorizer;
import dev.switchboard.auth.decision.DecisionCache;
import dev.switchboard.auth.decision.TokenVerifier;
import dev.switchboard.auth.grpc.AuthGrpcService;
import dev.switchboard.auth.grpc.DecisionCallers;
import dev.switchboard.auth.key.KeyRing;
import dev.switchboard.auth.key.SigningKeyStore;
import dev.switchboard.auth.revocation.RevocationHub;
import dev.switchboard.auth.revocation.RevocationPoller;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.auth.token.FailureCounter;
import dev.switchboard.auth.token.GrantsClaimCustomizer;
import dev.switchboard.auth.token.IssuanceLimit;
import dev.switchboard.auth.token.Lockouts;
import dev.switchboard.auth.token.StoreRegisteredClientRepository;
import dev.switchboard.auth.token.UnstoredAuthorizationService;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.dao.DataAccessException;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the auth service: stores on the shared database, the key ring, the revocation log poller and hub, the
 * decision path, the gRPC service, Spring Authorization Server's extension points and the background jobs.
 * <p>
 * Background work runs on two single-thread task schedulers: {@code auth-revocations} polls the revocation log (every
 * {@code switchboard.auth.revocation-poll-interval}) and pushes to watchers; {@code auth-maintenance} reloads the
 * published keys every 5 s, rotates the signing key when it is older than {@code switchboard.auth.key-rotation}
 * (checked every minute, or every tenth of the period when shorter), reloads the CAs every 5 s (so a CA made by any
 * replica is used by all), makes a new CA when the newest is due for rotation (checked every minute) and deletes
 * expired rows every minute.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(AuthConfiguration.class);

	private static final Duration KEY_REFRESH_INTERVAL = Duration.ofSeconds(5);

	private static final Duration MAINTENANCE_INTERVAL = Duration.ofMinutes(1);

	@Bean
	Clock authClock() {
		return Clock.systemUTC();
	}

	@Bean
	DatabaseLocks databaseLocks(JdbcTemplate jdbc) {
		return new DatabaseLocks(jdbc);
	}

	@Bean
	RevocationStore revocationStore(JdbcTemplate jdbc, TransactionTemplate transactions, Clock authClock) {
		return new RevocationStore(jdbc, transactions, authClock);
	}

	@Bean
	ClientStore clientStore(JdbcTemplate jdbc, TransactionTemplate transactions, RevocationStore revocations,
			Clock authClock) {
		return new ClientStore(jdbc, transactions, revocations, authClock);
	}

	@Bean
	KeyRing keyRing(JdbcTemplate jdbc, DatabaseLocks locks, TransactionTemplate transactions, Clock authClock,
			AuthProperties properties) {
		return new KeyRing(new SigningKeyStore(jdbc), locks, transactions, authClock, properties.keyRotation(),
				properties.keyRetention());
	}

	@Bean
	FailureCounter failureCounter(JdbcTemplate jdbc, Clock authClock, AuthProperties properties) {
		return new FailureCounter(jdbc, authClock, properties.rateLimit().window());
	}

	@Bean
	Lockouts lockouts(JdbcTemplate jdbc, Clock authClock, AuthProperties properties) {
		AuthProperties.RateLimit limits = properties.rateLimit();
		return new Lockouts(jdbc, authClock, limits.window(), limits.maxLockout(), limits.forgetAfter());
	}

	@Bean
	IssuanceLimit issuanceLimit(JdbcTemplate jdbc, Clock authClock, AuthProperties properties, MeterRegistry meters) {
		AuthProperties.RateLimit limits = properties.rateLimit();
		return new IssuanceLimit(jdbc, authClock, limits.window(), limits.clientIssues(), meters);
	}

	@Bean
	DecisionCache decisionCache(ClientStore clients, RevocationStore revocations, AuthProperties properties) {
		return new DecisionCache(clients, revocations, properties.cacheTtl());
	}

	@Bean
	RevocationHub revocationHub(RevocationStore revocations, AuthProperties properties, Clock authClock,
			MeterRegistry meters) {
		RevocationHub hub = new RevocationHub(properties.watchQueueLimit(), revocations.maxSequence(), authClock);
		Gauge.builder("switchboard.auth.revocation.watchers", hub, RevocationHub::watchers)
			.description("Open WatchRevocations streams")
			.register(meters);
		return hub;
	}

	/**
	 * Revocation polls, on a thread of their own so that slow maintenance never delays a push. Destroyed before the
	 * database pool closes, so a poll never runs against a closed pool.
	 */
	@Bean(defaultCandidate = false)
	@DependsOn("dataSource")
	ThreadPoolTaskScheduler authRevocations() {
		return PlatformSchedulers.daemon("auth-revocations-");
	}

	/** Key, CA and table maintenance; destroyed before the database pool closes. */
	@Bean(defaultCandidate = false)
	@DependsOn("dataSource")
	ThreadPoolTaskScheduler authMaintenance() {
		return PlatformSchedulers.daemon("auth-maintenance-");
	}

	@Bean
	RevocationPoller revocationPoller(RevocationStore revocations, RevocationHub hub, DecisionCache cache,
			Clock authClock, AuthProperties properties,
			@Qualifier("authRevocations") ThreadPoolTaskScheduler authRevocations) {
		// caches first: a watcher that reacts to an event and asks again must get the new answer
		RevocationPoller poller = new RevocationPoller(revocations, hub.sequence(), List.of(cache, hub), authClock);
		poller.scheduleOn(authRevocations.getScheduledExecutor(), properties.revocationPollInterval().toMillis());
		return poller;
	}

	/** Schedules the key, CA and table maintenance on {@code auth-maintenance}. */
	@Bean
	Housekeeping authHousekeeping(KeyRing keys, CertificateAuthority certificateAuthority,
			RevocationStore revocations, FailureCounter failures, Lockouts lockouts, IssuanceLimit issuance,
			AuthProperties properties, Clock authClock, @Qualifier("authMaintenance") TaskScheduler authMaintenance) {
		Instant now = Instant.now();
		authMaintenance.scheduleWithFixedDelay(quietly("key refresh", keys::refresh),
				now.plus(KEY_REFRESH_INTERVAL), KEY_REFRESH_INTERVAL);
		Duration rotationCheck = Duration
			.ofMillis(Math.max(1000, Math.min(60_000, properties.keyRotation().toMillis() / 10)));
		authMaintenance.scheduleWithFixedDelay(quietly("key rotation", keys::rotateIfDue), now.plus(rotationCheck),
				rotationCheck);
		authMaintenance.scheduleWithFixedDelay(quietly("CA refresh", certificateAuthority::refresh),
				now.plus(KEY_REFRESH_INTERVAL), KEY_REFRESH_INTERVAL);
		authMaintenance.scheduleWithFixedDelay(quietly("CA rotation", certificateAuthority::rotateIfDue),
				now.plus(MAINTENANCE_INTERVAL), MAINTENANCE_INTERVAL);
		Housekeeping housekeeping = new Housekeeping(revocations, keys, certificateAuthority, failures, lockouts,
				issuance, properties.revocationEventRetention(), authClock);
		authMaintenance.scheduleWithFixedDelay(housekeeping, now.plus(MAINTENANCE_INTERVAL), MAINTENANCE_INTERVAL);
		return housekeeping;
	}

	private static Runnable quietly(String what, Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				logger.warn("Auth {} failed; will retry: {}", what, ex.toString());
			}
		};
	}

	@Bean
	TokenVerifier tokenVerifier(KeyRing keys, AuthorizationServerSettings settings, Clock authClock) {
		return new TokenVerifier(keys, settings.getIssuer(), authClock);
	}

	@Bean
	Authorizer authorizer(TokenVerifier verifier, DecisionCache cache, RevocationPoller poller,
			MeterRegistry meters) {
		return new Authorizer(verifier, cache, poller, meters);
	}

	/** Maps the auth service's exceptions to statuses; a database it cannot reach is its own infrastructure error. */
	@Bean
	ServiceExceptionHandler authExceptionHandler() {
		String unreachable = "auth database unavailable; retry or use another replica";
		return ServiceExceptionHandler.of("auth")
			.withUnavailable(DataAccessException.class, unreachable)
			.withUnavailable(TransactionException.class, unreachable);
	}

	@Bean
	AuthGrpcService authGrpcService(Authorizer authorizer, TokenVerifier verifier, ClientStore clients,
			RevocationStore revocations, RevocationHub hub, AuthProperties properties,
			ServiceExceptionHandler exceptions, Clock authClock) {
		return new AuthGrpcService(authorizer, verifier, clients, revocations, hub, properties.tokenLifetime(),
				exceptions, authClock);
	}

	/** Decisions and the revocation feed are for the platform's routers and registries only. */
	@Bean
	@GlobalServerInterceptor
	@ConditionalOnBooleanProperty(name = "switchboard.identity.enabled", matchIfMissing = true)
	DecisionCallers decisionCallers() {
		return new DecisionCallers(Set.of("router", "registry"));
	}

	@Bean
	AuthKeysEndpoint authKeysEndpoint(KeyRing keys) {
		return new AuthKeysEndpoint(keys);
	}

	@Bean
	Bootstrap bootstrap(ClientStore clients, DatabaseLocks locks, TransactionTemplate transactions,
			AuthProperties properties) {
		AuthProperties.Bootstrap bootstrap = properties.bootstrap();
		return new Bootstrap(clients, locks, transactions, bootstrap.credentialsFile(), () -> {
			GroupSecrets file = (bootstrap.groupSecretsFile() != null) ? GroupSecrets.read(bootstrap.groupSecretsFile())
					: GroupSecrets.none();
			return file.with(GroupSecrets.of(bootstrap.groupSecrets()));
		}, bootstrap.adminClientSecret());
	}

	/**
	 * Makes the first signing key, the first CA (or loads the CAs, which fails at once for a wrong key-encryption key)
	 * and the bootstrap clients once every bean (Flyway included) is ready.
	 */
	@Bean
	SmartInitializingSingleton authStartup(KeyRing keys, CertificateAuthority certificateAuthority,
			Bootstrap bootstrap, AuthProperties properties) {
		return () -> {
			keys.rotateIfDue();
			certificateAuthority.rotateIfDue();
			if (properties.bootstrap().enabled()) {
				bootstrap.run();
			}
		};
	}

	// Spring Authorization Server's extension points

	@Bean
	RegisteredClientRepository registeredClientRepository(ClientStore clients, AuthProperties properties) {
		return new StoreRegisteredClientRepository(clients, properties.tokenLifetime());
	}

	@Bean
	OAuth2AuthorizationService authorizationService() {
		return new UnstoredAuthorizationService();
	}

	/** The JWKS: every published public key. */
	@Bean
	JWKSource<SecurityContext> jwkSource(KeyRing keys) {
		return keys.publishedSource();
	}

	/** Signs with the current signing key only, and names it in the {@code kid} header. */
	@Bean
	JwtEncoder jwtEncoder(KeyRing keys) {
		return new NimbusJwtEncoder(keys.signingSource());
	}

	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> grantsClaimCustomizer() {
		return new GrantsClaimCustomizer();
	}

}
