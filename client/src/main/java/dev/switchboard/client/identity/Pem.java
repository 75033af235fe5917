package dev.switchboard.client.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** Reads and writes X.509 certificates as DER and PEM. Stateless. */
public final class Pem {

	private Pem() {
	}

	/** Returns the certificates of a PEM (or DER) file, in file order. */
	public static List<X509Certificate> readCertificates(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			return certificates(factory().generateCertificates(in));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read certificates from " + file, ex);
		}
		catch (CertificateException ex) {
			throw new IllegalArgumentException("no valid certificates in " + file + ": " + ex.getMessage(), ex);
		}
	}

	/** Returns the certificates of PEM text. */
	public static List<X509Certificate> parseCertificates(String pem) {
		try {
			return certificates(factory().generateCertificates(new ByteArrayInputStream(pem.getBytes())));
		}
		catch (CertificateException ex) {
			throw new IllegalArgumentException("no valid certificates: " + ex.getMessage(), ex);
		}
	}

	/** Returns one DER-encoded certificate. */
	public static X509Certificate certificate(byte[] der) {
		try {
			return (X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der));
		}
		catch (CertificateException ex) {
			throw new IllegalArgumentException("not a DER certificate: " + ex.getMessage(), ex);
		}
	}

	/** Returns the DER encoding of a certificate. */
	public static byte[] der(X509Certificate certificate) {
		try {
			return certificate.getEncoded();
		}
		catch (CertificateEncodingException ex) {
			throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal(), ex);
		}
	}

	/** Returns certificates as PEM text, one {@code CERTIFICATE} block each. */
	public static String toPem(List<X509Certificate> certificates) {
		StringBuilder pem = new StringBuilder();
		Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] { '\n' });
		for (X509Certificate certificate : certificates) {
			pem.append("-----BEGIN CERTIFICATE-----\n")
				.append(encoder.encodeToString(der(certificate)))
				.append("\n-----END CERTIFICATE-----\n");
		}
		return pem.toString();
	}

	private static List<X509Certificate> certificates(Collection<? extends Certificate> certificates) {
		List<X509Certificate> result = new ArrayList<>();
		for (Certificate certificate : certificates) {
			result.add((X509Certificate) certificate);
		}
		if (result.isEmpty()) {
			throw new IllegalArgumentException("no certificate found");
		}
		return List.copyOf(result);
	}

	private static CertificateFactory factory() {
		try {
			return CertificateFactory.getInstance("X.509");
		}
		catch (CertificateException ex) {
			throw new IllegalStateException("no X.509 certificate factory", ex);
		}
	}

}
