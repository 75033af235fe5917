package dev.switchboard.auth.actuate;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import dev.switchboard.auth.ca.CaKey;
import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.client.identity.Pem;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code authca} actuator endpoint: {@code GET /actuator/authca} lists the CA certificates of the trust bundle
 * (never a private key); {@code POST /actuator/authca} makes a new signing CA at once. The previous CAs stay trusted
 * until they expire, so certificates they signed keep working; every replica signs with the new CA within seconds.
 * Scheduled rotation happens anyway {@code switchboard.auth.ca.rotate-before} ahead of expiry. Like every non-public
 * actuator endpoint it needs the ADMIN role.
 */
@Endpoint(id = "authca")
public final class AuthCaEndpoint {

	private final CertificateAuthority authority;

	public AuthCaEndpoint(CertificateAuthority authority) {
		this.authority = Objects.requireNonNull(authority, "authority");
	}

	@ReadOperation
	public BundleDescriptor bundle() {
		this.authority.refresh();
		return describe();
	}

	@WriteOperation
	public BundleDescriptor rotate() {
		this.authority.rotate();
		return describe();
	}

	private BundleDescriptor describe() {
		List<CertificateDescriptor> certificates = new ArrayList<>();
		boolean first = true;
		for (CaKey ca : this.authority.cas()) {
			certificates.add(CertificateDescriptor.of(ca, first));
			first = false;
		}
		return new BundleDescriptor(this.authority.trustDomain(), certificates);
	}

	/**
	 * @param trustDomain the trust domain the CAs certify
	 * @param certificates the trusted CA certificates, newest (the signing one) first
	 */
	public record BundleDescriptor(String trustDomain, List<CertificateDescriptor> certificates)
			implements OperationResponseBody {
	}

	/**
	 * One CA certificate as an operator reads it.
	 *
	 * @param id the CA's number
	 * @param subject the certificate's subject
	 * @param serialNumber its serial number, hex
	 * @param notBefore when it starts being valid
	 * @param notAfter when it expires and leaves the bundle
	 * @param signing whether it signs new certificates
	 * @param sha256Fingerprint the SHA-256 of its DER encoding, hex
	 * @param sha1Fingerprint the SHA-1 of its DER encoding, hex, as some tools show it
	 */
	public record CertificateDescriptor(long id, String subject, String serialNumber, Instant notBefore,
			Instant notAfter, boolean signing, String sha256Fingerprint, String sha1Fingerprint) {

		static CertificateDescriptor of(CaKey ca, boolean signing) {
			X509Certificate certificate = ca.certificate();
			return new CertificateDescriptor(ca.id(), certificate.getSubjectX500Principal().getName(),
					certificate.getSerialNumber().toString(16), certificate.getNotBefore().toInstant(),
					certificate.getNotAfter().toInstant(), signing, fingerprint(certificate, "SHA-256"),
					fingerprint(certificate, "SHA-1"));
		}

		private static String fingerprint(X509Certificate certificate, String algorithm) {
			try {
				return HexFormat.ofDelimiter(":")
					.withUpperCase()
					.formatHex(MessageDigest.getInstance(algorithm).digest(Pem.der(certificate)));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("this JVM has no " + algorithm, ex);
			}
		}

	}

}
