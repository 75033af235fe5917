package dev.switchboard.auth.ca;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the platform certificate authority under {@code switchboard.auth.ca}. The trust domain is the platform
 * identity's {@code switchboard.identity.trust-domain}.
 *
 * @param kek The key-encryption key that seals the CA private keys in the database: the Base64 of 32 random bytes
 * (AES-256), the same on every replica ({@code SWITCHBOARD_AUTH_CA_KEK}); takes precedence over {@code kek-file}
 * @param kekFile Read the key-encryption key from this file (Base64 of 32 bytes) instead; when neither is set,
 * {@code <switchboard.auth.data-dir>/ca.kek} is used and created (mode 600) if absent
 * @param caLifetime How long a CA certificate is valid
 * @param rotateBefore Make a new CA when the newest one has less than this left; both stay trusted until the old one
 * expires
 * @param certificateLifetime How long an issued certificate is valid (never longer than its CA)
 * @param bundleFile Write the trust bundle (every unexpired CA certificate, PEM, mode 600) to this file at start and
 * whenever it changes, for local processes to trust; nowhere when unset
 */
@ConfigurationProperties("switchboard.auth.ca")
public record CaProperties(String kek, Path kekFile, @DefaultValue("365d") Duration caLifetime,
		@DefaultValue("30d") Duration rotateBefore, @DefaultValue("24h") Duration certificateLifetime,
		Path bundleFile) {

	public CaProperties {
		positive(caLifetime, "ca-lifetime");
		positive(rotateBefore, "rotate-before");
		positive(certificateLifetime, "certificate-lifetime");
		if (rotateBefore.compareTo(caLifetime) >= 0) {
			throw new IllegalArgumentException("switchboard.auth.ca.rotate-before (" + rotateBefore
					+ ") must be shorter than switchboard.auth.ca.ca-lifetime (" + caLifetime + ")");
		}
		if (certificateLifetime.compareTo(rotateBefore) > 0) {
			throw new IllegalArgumentException("switchboard.auth.ca.certificate-lifetime (" + certificateLifetime
					+ ") must not be longer than switchboard.auth.ca.rotate-before (" + rotateBefore + ")");
		}
	}

	private static void positive(Duration duration, String name) {
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException("switchboard.auth.ca." + name + " must be positive, not " + duration);
		}
	}

	/** Returns the settings with defaults and no key-encryption key or bundle file configured. */
	public static CaProperties defaults() {
		return new CaProperties(null, null, Duration.ofDays(365), Duration.ofDays(30), Duration.ofHours(24), null);
	}

	@Override
	public String toString() {
		return "CaProperties[kek=" + ((this.kek != null) ? "<hidden>" : null) + ", kekFile=" + this.kekFile
				+ ", caLifetime=" + this.caLifetime + ", rotateBefore=" + this.rotateBefore + ", certificateLifetime="
				+ this.certificateLifetime + ", bundleFile=" + this.bundleFile + "]";
	}

}
