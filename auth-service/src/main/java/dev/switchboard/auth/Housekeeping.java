package dev.switchboard.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.auth.key.KeyRing;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.auth.token.FailureCounter;
import dev.switchboard.auth.token.IssuanceLimit;
import dev.switchboard.auth.token.Lockouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what no decision needs any more: revocations of expired tokens, old revocation events, keys that left the
 * JWKS, expired CAs, failure and issuance counts of past windows, token endpoint lockouts past forgiveness. Every
 * replica runs it; the deletes are idempotent. Blocks on the database; never throws.
 */
final class Housekeeping implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Housekeeping.class);

	private final RevocationStore revocations;

	private final KeyRing keys;

	private final CertificateAuthority certificateAuthority;

	private final FailureCounter failures;

	private final Lockouts lockouts;

	private final IssuanceLimit issuance;

	private final Duration eventRetention;

	private final Clock clock;

	Housekeeping(RevocationStore revocations, KeyRing keys, CertificateAuthority certificateAuthority,
			FailureCounter failures, Lockouts lockouts, IssuanceLimit issuance, Duration eventRetention, Clock clock) {
		this.revocations = Objects.requireNonNull(revocations, "revocations");
		this.keys = Objects.requireNonNull(keys, "keys");
		this.certificateAuthority = Objects.requireNonNull(certificateAuthority, "certificateAuthority");
		this.failures = Objects.requireNonNull(failures, "failures");
		this.lockouts = Objects.requireNonNull(lockouts, "lockouts");
		this.issuance = Objects.requireNonNull(issuance, "issuance");
		this.eventRetention = Objects.requireNonNull(eventRetention, "eventRetention");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	@Override
	public void run() {
		try {
			int deleted = this.revocations.deleteExpired(this.clock.instant().minus(this.eventRetention))
					+ this.keys.deleteExpired() + this.certificateAuthority.deleteExpired()
					+ this.failures.deleteExpired() + this.lockouts.deleteForgotten() + this.issuance.deleteExpired();
			if (deleted > 0) {
				logger.debug("Housekeeping deleted {} expired row(s)", deleted);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Housekeeping failed; will retry: {}", ex.toString());
		}
	}

}
