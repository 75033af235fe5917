package dev.switchboard.client.identity;

/**
 * Gets a certificate signed by the platform's CA for a key this process holds: a replica of the auth group over
 * gRPC ({@link RemoteCertificateIssuer}), or the CA itself inside the auth service.
 * <p>
 * Implementations must be thread-safe. {@link #issue} blocks for as long as it takes to reach the CA.
 */
@FunctionalInterface
public interface CertificateIssuer {

	/**
	 * Returns the certificate the CA issued for a certification request.
	 * @param identity the group and instance the certificate is to name
	 * @param csr a PKCS#10 certification request, DER, signed with the key to certify
	 * @throws CertificateUnavailableException if no CA could be reached or the CA refused, with the reason
	 */
	IssuedCertificate issue(SpiffeId identity, byte[] csr);

	/** No certificate could be had; the message says why in one line. */
	final class CertificateUnavailableException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		public CertificateUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

		public CertificateUnavailableException(String message) {
			super(message);
		}

	}

}
