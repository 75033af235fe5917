package dev.switchboard.client.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.client.identity.CertificateIssuer;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.client.identity.SpiffeId;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A throw-away CA for tests: signs any CSR for the identity asked, and counts what it issued. */
public final class TestCa implements CertificateIssuer {

	public final String trustDomain;

	private final KeyPair key;

	public final X509Certificate certificate;

	private final Duration lifetime;

	public final AtomicInteger issued = new AtomicInteger();

	public TestCa(String trustDomain, Duration lifetime) {
		this.trustDomain = trustDomain;
		this.lifetime = lifetime;
		try {
			this.key = ecKey();
			X500Name name = new X500Name("CN=Test CA " + ThreadLocalRandom.current().nextInt(1000));
			Instant now = Instant.now();
			this.certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
					BigInteger.valueOf(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)),
					Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, this.key.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(this.key.getPrivate())));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	public PlatformTrust trust() {
		return PlatformTrust.of(this.trustDomain, List.of(this.certificate));
	}

	public PlatformIdentity identity(String group, String instance) {
		PlatformIdentity identity = new PlatformIdentity(SpiffeId.of(this.trustDomain, group, instance), this, trust(),
				0.66, java.time.Clock.systemUTC());
		identity.renew();
		return identity;
	}

	@Override
	public IssuedCertificate issue(SpiffeId identity, byte[] csr) {
		try {
			PKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(csr);
			Instant now = Instant.now();
			X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
					new X500Name(this.certificate.getSubjectX500Principal().getName()),
					BigInteger.valueOf(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE)),
					Date.from(now.minusSeconds(60)), Date.from(now.plus(this.lifetime)),
					new X500Name("CN=" + identity.group()), new JcaPKCS10CertificationRequest(csr).getPublicKey())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth,
								KeyPurposeId.id_kp_clientAuth }))
				.addExtension(Extension.subjectAlternativeName, true,
						new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())))
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(this.key.getPrivate())));
			request.getSubject(); // parsed
			this.issued.incrementAndGet();
			return new IssuedCertificate(List.of(leaf), List.of(this.certificate));
		}
		catch (Exception ex) {
			throw new CertificateUnavailableException("test CA refused: " + ex.getMessage(), ex);
		}
	}

	private static KeyPair ecKey() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp256r1"));
		return generator.generateKeyPair();
	}

}
