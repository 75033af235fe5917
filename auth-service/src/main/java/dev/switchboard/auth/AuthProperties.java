package dev.switchboard.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the auth service under {@code switchboard.auth}. The issuer is Spring Authorization Server's own
 * {@code spring.security.oauth2.authorizationserver.issuer}; the database is {@code spring.datasource.*}.
 *
 * @param dataDir The folder of the embedded H2 database file, used when no other datasource URL is configured
 * @param tokenLifetime How long an access token is valid after it is issued
 * @param keyRotation How long a signing key signs before a new one replaces it
 * @param revocationPollInterval How often this replica reads revocations written by any replica and pushes them
 * @param cacheTtl How long a client's state (enabled, grants) may be served from memory without an event; every
 * change is also pushed through revocation events, so this only bounds memory, not staleness
 * @param watchQueueLimit How many undelivered revocations a watcher may fall behind before it is told to drop every
 * cached decision
 * @param revocationEventRetention How long revocation events are kept for replicas that were briefly disconnected
 * @param bootstrap What to create when the database has no client at all
 * @param rateLimit How the token endpoint slows down guessing of client secrets
 */
@ConfigurationProperties("switchboard.auth")
public record AuthProperties(@DefaultValue("./.switchboard/auth") Path dataDir,
		@DefaultValue("15m") Duration tokenLifetime, @DefaultValue("24h") Duration keyRotation,
		@DefaultValue("200ms") Duration revocationPollInterval, @DefaultValue("5s") Duration cacheTtl,
		@DefaultValue("1024") int watchQueueLimit, @DefaultValue("1h") Duration revocationEventRetention,
		@DefaultValue Bootstrap bootstrap, @DefaultValue RateLimit rateLimit) {

	public AuthProperties {
		positive(tokenLifetime, "token-lifetime");
		positive(keyRotation, "key-rotation");
		positive(revocationPollInterval, "revocation-poll-interval");
		positive(cacheTtl, "cache-ttl");
		positive(revocationEventRetention, "revocation-event-retention");
		if (watchQueueLimit < 1) {
			throw new IllegalArgumentException("switchboard.auth.watch-queue-limit must be positive");
		}
	}

	private static void positive(Duration duration, String name) {
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException("switchboard.auth." + name + " must be positive, not " + duration);
		}
	}

	/**
	 * How long a retired signing key stays in the JWKS: the token lifetime plus a minute for replicas that signed with
	 * it before they noticed the rotation.
	 */
	public Duration keyRetention() {
		return this.tokenLifetime.plusMinutes(1);
	}

	/**
	 * @param enabled Whether to create the admin and demo clients and the platform's group clients when the database
	 * has no client
	 * @param credentialsFile Where to write the bootstrap clients' ids and generated secrets (mode 600); nowhere when
	 * unset
	 * @param groupSecretsFile Read the secrets of the platform's group clients from this env file, one
	 * {@code SWITCHBOARD_<GROUP>_CLIENT_SECRET=<secret>} line (at least 16 characters) per group (router, registry,
	 * auth, compute, volume, network, dashboard); a group client is created only when its secret is there
	 * @param groupSecrets The secrets of the platform's group clients by group name, for deployments that pass them in
	 * the environment (SWITCHBOARD_AUTH_BOOTSTRAP_GROUPSECRETS_ROUTER, ...); they win over the file's
	 * @param adminClientSecret The admin client's secret, when chosen beforehand (at least 16 characters) for a
	 * deployment whose dashboard signs in with it; generated when unset
	 */
	public record Bootstrap(@DefaultValue("true") boolean enabled, Path credentialsFile, Path groupSecretsFile,
			@DefaultValue Map<String, String> groupSecrets, String adminClientSecret) {

		@Override
		public String toString() {
			return "Bootstrap[enabled=" + this.enabled + ", credentialsFile=" + this.credentialsFile
					+ ", groupSecretsFile=" + this.groupSecretsFile + ", groupSecrets=" + this.groupSecrets.keySet()
					+ ", adminClientSecret="
					+ ((this.adminClientSecret != null) ? "<hidden>" : null) + "]";
		}

	}

	/**
	 * @param enabled Whether the token endpoint limits failed attempts and issuance
	 * @param clientFailures How many failed attempts one client id may have from one remote address per window before
	 * that pair is locked out
	 * @param addressFailures How many failed attempts one remote address may have per window before it is locked out
	 * @param window The length of the fixed counting window, and of a first lockout
	 * @param maxLockout The longest lockout: a pair or address locked out again within forget-after of its last lockout
	 * is locked out twice as long as the last time, up to this
	 * @param forgetAfter How long a pair or address must go without a lockout, after its last one ended, to start again
	 * from a first lockout
	 * @param clientIssues How many tokens one client id may be issued per window, from any address and replica
	 */
	public record RateLimit(@DefaultValue("true") boolean enabled, @DefaultValue("5") int clientFailures,
			@DefaultValue("20") int addressFailures, @DefaultValue("1m") Duration window,
			@DefaultValue("1h") Duration maxLockout, @DefaultValue("24h") Duration forgetAfter,
			@DefaultValue("600") int clientIssues) {

		public RateLimit {
			atLeastOne(clientFailures, "client-failures");
			atLeastOne(addressFailures, "address-failures");
			atLeastOne(clientIssues, "client-issues");
			if (window.toMillis() < 1000) {
				throw new IllegalArgumentException(
						"switchboard.auth.rate-limit.window must be at least 1s, not " + window);
			}
			if (maxLockout.compareTo(window) < 0) {
				throw new IllegalArgumentException("switchboard.auth.rate-limit.max-lockout (" + maxLockout
						+ ") must be at least the window (" + window + "), the length of a first lockout");
			}
			if (forgetAfter.isNegative() || forgetAfter.isZero()) {
				throw new IllegalArgumentException(
						"switchboard.auth.rate-limit.forget-after must be positive, not " + forgetAfter);
			}
		}

		private static void atLeastOne(int budget, String name) {
			if (budget < 1) {
				throw new IllegalArgumentException(
						"switchboard.auth.rate-limit." + name + " must be at least 1, not " + budget);
			}
		}

	}

}
