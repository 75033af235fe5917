package dev.switchboard.auth.ca;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;
import java.util.Set;

import dev.switchboard.client.grpc.RefusalException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A PKCS#10 certification request the CA accepts: DER of at most {@value #MAX_SIZE} bytes, signed with the key it
 * asks to certify (proof of possession), for an EC P-256 or P-384 key or an RSA key of 2048 to
 * {@value #MAX_RSA_BITS} bits. Only the public key is used: the request's subject and requested extensions are
 * ignored, the CA decides what the certificate names. Immutable.
 *
 * @param publicKey the key to certify
 */
public record CertificateRequest(PublicKey publicKey) {

	/** The largest request accepted, in bytes. */
	public static final int MAX_SIZE = 4096;

	/** The largest RSA key accepted, in bits: larger ones only make signature checks slow. */
	public static final int MAX_RSA_BITS = 8192;

	private static final int MIN_RSA_BITS = 2048;

	private static final Set<ASN1ObjectIdentifier> CURVES = Set.of(SECObjectIdentifiers.secp256r1,
			SECObjectIdentifiers.secp384r1);

	public CertificateRequest {
		Objects.requireNonNull(publicKey, "publicKey");
	}

	/**
	 * Parses and checks a request.
	 * @throws RefusalException (INVALID_ARGUMENT) with a one-line reason when it is not acceptable
	 */
	public static CertificateRequest parse(byte[] der) {
		Objects.requireNonNull(der, "der");
		if (der.length == 0) {
			throw RefusalException.invalidArgument("csr is empty");
		}
		if (der.length > MAX_SIZE) {
			throw RefusalException.invalidArgument("csr is larger than " + MAX_SIZE + " bytes");
		}
		JcaPKCS10CertificationRequest request;
		try {
			request = new JcaPKCS10CertificationRequest(der);
		}
		catch (IOException | RuntimeException ex) {
			throw RefusalException.invalidArgument("csr is not a DER PKCS#10 certification request");
		}
		SubjectPublicKeyInfo info = request.getSubjectPublicKeyInfo();
		ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
		if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
			ASN1Encodable curve = info.getAlgorithm().getParameters();
			if (!(curve instanceof ASN1ObjectIdentifier named) || !CURVES.contains(named)) {
				throw RefusalException.invalidArgument("csr key is on an unsupported curve; use EC P-256 or P-384");
			}
		}
		else if (!PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
			throw RefusalException.invalidArgument("csr key is neither EC (P-256, P-384) nor RSA");
		}
		PublicKey publicKey;
		try {
			publicKey = request.getPublicKey();
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			throw RefusalException.invalidArgument("csr public key cannot be read");
		}
		if (publicKey instanceof RSAPublicKey rsa) {
			int bits = rsa.getModulus().bitLength();
			if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
				throw RefusalException.invalidArgument(
						"csr RSA key has " + bits + " bits; " + MIN_RSA_BITS + " to " + MAX_RSA_BITS + " are accepted");
			}
		}
		boolean verified;
		try {
			verified = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
		}
		catch (OperatorCreationException | PKCSException | RuntimeException ex) {
			verified = false;
		}
		if (!verified) {
			throw RefusalException.invalidArgument("csr signature does not verify with its own public key");
		}
		return new CertificateRequest(publicKey);
	}

}
