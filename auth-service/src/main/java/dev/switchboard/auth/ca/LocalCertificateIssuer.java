package dev.switchboard.auth.ca;

import java.util.Objects;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.identity.CertificateIssuer;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.SpiffeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues the auth service's own certificates with the CA in this process, without a token: the auth service cannot
 * ask itself over gRPC for the certificate its gRPC server needs. The request is checked like any other. Thread-safe;
 * blocks on the database only while no CA has been loaded yet.
 */
public final class LocalCertificateIssuer implements CertificateIssuer {

	private static final Logger logger = LoggerFactory.getLogger(LocalCertificateIssuer.class);

	private final CertificateAuthority authority;

	public LocalCertificateIssuer(CertificateAuthority authority) {
		this.authority = Objects.requireNonNull(authority, "authority");
	}

	/**
	 * @throws CertificateUnavailableException when the request is not acceptable, names another trust domain, or no
	 * CA can be had
	 */
	@Override
	public IssuedCertificate issue(SpiffeId identity, byte[] csr) {
		Objects.requireNonNull(identity, "identity");
		Objects.requireNonNull(csr, "csr");
		IssuedCertificate issued;
		try {
			issued = this.authority.issue(identity, CertificateRequest.parse(csr));
		}
		catch (RefusalException | IllegalArgumentException ex) {
			throw new CertificateUnavailableException("local CA refused: " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			throw new CertificateUnavailableException("local CA failed: " + ex, ex);
		}
		logger.info("Issued own certificate to {} (serial {}, not after {})", identity,
				issued.leaf().getSerialNumber().toString(16), issued.notAfter());
		return issued;
	}

}
