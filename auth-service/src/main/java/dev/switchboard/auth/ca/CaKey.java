package dev.switchboard.auth.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;

import dev.switchboard.client.identity.SpiffeId;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One CA of the platform: an EC P-256 key pair and its self-signed certificate ({@code CN=Switchboard platform CA
 * <id>, O=<trust domain>}, CA with path length 0, keyCertSign and cRLSign). Immutable; {@link #issue} is thread-safe.
 *
 * @param id the CA's number, increasing with every CA made
 * @param certificate the self-signed CA certificate
 * @param privateKey its private key
 * @param createdAt when it was made
 */
public record CaKey(long id, X509Certificate certificate, PrivateKey privateKey, Instant createdAt) {

	/** How far back certificates' notBefore is set, for clocks of peers that run slightly behind. */
	static final Duration BACKDATE = Duration.ofMinutes(1);

	private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

	private static final SecureRandom random = new SecureRandom();

	public CaKey {
		Objects.requireNonNull(certificate, "certificate");
		Objects.requireNonNull(privateKey, "privateKey");
		Objects.requireNonNull(createdAt, "createdAt");
	}

	/** Makes a new CA valid from a minute before {@code now} for {@code lifetime}. Takes a few milliseconds. */
	public static CaKey generate(long id, String trustDomain, Instant now, Duration lifetime) {
		Objects.requireNonNull(trustDomain, "trustDomain");
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair pair = generator.generateKeyPair();
			// encoded most significant first, so that it reads "CN=..., O=..."
			X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, trustDomain)
				.addRDN(BCStyle.CN, "Switchboard platform CA " + id)
				.build();
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serialNumber(),
					Date.from(now.minus(BACKDATE)), Date.from(now.plus(lifetime)), subject, pair.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(pair.getPublic()));
			X509Certificate certificate = sign(builder, pair.getPrivate());
			return new CaKey(id, certificate, pair.getPrivate(), now);
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("cannot make a CA key pair and certificate", ex);
		}
	}

	/** Returns when the CA certificate expires. */
	public Instant notAfter() {
		return this.certificate.getNotAfter().toInstant();
	}

	/** Returns whether the CA certificate is still valid at {@code now}. */
	public boolean validAt(Instant now) {
		return notAfter().isAfter(now);
	}

	/**
	 * Signs a leaf certificate for {@code identity}'s key: {@code CN=<group>}, one URI SAN (the SPIFFE id), not a CA,
	 * digitalSignature (and keyEncipherment for RSA keys), serverAuth and clientAuth, subject and authority key ids,
	 * a random positive 128-bit serial, valid from a minute before {@code now} for {@code lifetime} but never past this
	 * CA's own expiry.
	 */
	public X509Certificate issue(SpiffeId identity, PublicKey publicKey, Instant now, Duration lifetime) {
		Objects.requireNonNull(identity, "identity");
		Objects.requireNonNull(publicKey, "publicKey");
		Instant notAfter = now.plus(lifetime);
		if (notAfter.isAfter(notAfter())) {
			notAfter = notAfter();
		}
		Instant notBefore = now.minus(BACKDATE);
		Instant caNotBefore = this.certificate.getNotBefore().toInstant();
		if (notBefore.isBefore(caNotBefore)) {
			notBefore = caNotBefore;
		}
		int usage = KeyUsage.digitalSignature | ((publicKey instanceof RSAPublicKey) ? KeyUsage.keyEncipherment : 0);
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, identity.group()).build();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(this.certificate, serialNumber(),
					Date.from(notBefore), Date.from(notAfter), subject, publicKey)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(usage))
				.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(
								new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }))
				.addExtension(Extension.subjectAlternativeName, false,
						new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())))
				.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey))
				.addExtension(Extension.authorityKeyIdentifier, false,
						extensions.createAuthorityKeyIdentifier(this.certificate));
			return sign(builder, this.privateKey);
		}
		catch (GeneralSecurityException | CertIOException ex) {
			throw new IllegalStateException("cannot sign a certificate for " + identity, ex);
		}
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
			throws GeneralSecurityException {
		try {
			ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
			return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
		}
		catch (OperatorCreationException ex) {
			throw new GeneralSecurityException("cannot sign with " + SIGNATURE_ALGORITHM, ex);
		}
	}

	/** Returns a random positive serial number of at most 128 bits. */
	static BigInteger serialNumber() {
		byte[] bytes = new byte[16];
		BigInteger serial;
		do {
			random.nextBytes(bytes);
			serial = new BigInteger(1, bytes);
		}
		while (serial.signum() == 0);
		return serial;
	}

	@Override
	public String toString() {
		return "CaKey[id=" + this.id + ", subject=" + this.certificate.getSubjectX500Principal().getName()
				+ ", notAfter=" + notAfter() + "]";
	}

}
