package dev.switchboard.auth.ca;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys and certification requests for tests, and PKIX validation of what the CA issued. */
public final class TestCsrs {

	private TestCsrs() {
	}

	/** Returns a new EC key pair on {@code curve} ({@code secp256r1}, {@code secp384r1}, ...). */
	public static KeyPair ec(String curve) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec(curve));
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Returns a new RSA key pair of {@code bits}. */
	public static KeyPair rsa(int bits) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(bits);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Returns the DER of a request for {@code pair}'s public key, signed with its private key. */
	public static byte[] csr(KeyPair pair) {
		return csr(pair.getPublic(), pair.getPrivate());
	}

	/** Returns the DER of a request for {@code publicKey} signed with {@code signer}, which may not match it. */
	public static byte[] csr(PublicKey publicKey, PrivateKey signer) {
		String algorithm = "RSA".equals(signer.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
		try {
			return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ignored"), publicKey)
				.build(new JcaContentSignerBuilder(algorithm).build(signer))
				.getEncoded();
		}
		catch (OperatorCreationException ex) {
			throw new IllegalStateException(ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Validates {@code chain} against {@code bundle} at {@code at} with the JDK's PKIX validator.
	 * @throws GeneralSecurityException when it does not validate
	 */
	public static void validate(List<X509Certificate> chain, List<X509Certificate> bundle, Instant at)
			throws GeneralSecurityException {
		Set<TrustAnchor> anchors = bundle.stream()
			.map((certificate) -> new TrustAnchor(certificate, null))
			.collect(Collectors.toSet());
		PKIXParameters parameters = new PKIXParameters(anchors);
		parameters.setRevocationEnabled(false);
		parameters.setDate(Date.from(at));
		CertPathValidator.getInstance("PKIX")
			.validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
	}

}
