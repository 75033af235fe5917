package dev.switchboard.client.identity;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the platform's CA answered to a certification request. Immutable.
 *
 * @param chain the issued certificate first, then any intermediates
 * @param trustBundle the CA certificates the platform trusts now (the current one and any it overlaps with)
 */
public record IssuedCertificate(List<X509Certificate> chain, List<X509Certificate> trustBundle) {

	public IssuedCertificate {
		chain = List.copyOf(chain);
		trustBundle = List.copyOf(trustBundle);
		if (chain.isEmpty()) {
			throw new IllegalArgumentException("empty certificate chain");
		}
	}

	/** The issued certificate. */
	public X509Certificate leaf() {
		return this.chain.get(0);
	}

	public Instant notBefore() {
		return leaf().getNotBefore().toInstant();
	}

	public Instant notAfter() {
		return leaf().getNotAfter().toInstant();
	}

	/** Returns the identity the issued certificate names. */
	public SpiffeId identity() {
		return Objects.requireNonNull(SpiffeId.of(leaf()), "the issued certificate names no spiffe identity");
	}

}
