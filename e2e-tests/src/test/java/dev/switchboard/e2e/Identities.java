package dev.switchboard.e2e;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManager;

import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.client.identity.RemoteCertificateIssuer;
import dev.switchboard.client.identity.SpiffeId;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Platform identities for the end-to-end tests, got the way a process gets its own: a client's token and a CSR sent
 * to auth's CA over TLS. Also a foreign CA, whose certificates the platform must refuse.
 */
final class Identities {

	static final String TRUST_DOMAIN = "switchboard.local";

	private final Path trustBundle;

	private final String caAddress;

	private final URI tokenUri;

	Identities(Path trustBundle, String caAddress, URI tokenUri) {
		this.trustBundle = trustBundle;
		this.caAddress = caAddress;
		this.tokenUri = tokenUri;
	}

	PlatformTrust trust() {
		return PlatformTrust.fromFile(TRUST_DOMAIN, this.trustBundle);
	}

	/** Gets a certificate for {@code group}/{@code instance} as client {@code clientId}; throws if the CA refuses. */
	PlatformIdentity identity(String group, String instance, String clientId, String secret) {
		TokenSource tokens = new TokenSource(List.of(this.tokenUri), clientId, secret, Clock.systemUTC());
		PlatformTrust trust = trust();
		RemoteCertificateIssuer issuer = new RemoteCertificateIssuer(List.of(this.caAddress), tokens, trust, 5000);
		PlatformIdentity identity = new PlatformIdentity(SpiffeId.of(TRUST_DOMAIN, group, instance), issuer, trust,
				0.66, Clock.systemUTC());
		identity.renew();
		return identity;
	}

	/** A TLS channel without a client certificate that accepts only a server of {@code group}. */
	ManagedChannel anonymous(String target, String group) {
		return Grpc.newChannelBuilder(target,
				TlsChannelCredentials.newBuilder().trustManager(trust().trustManager(Set.of(group))).build()).build();
	}

	/** A mutual-TLS channel presenting {@code identity}, accepting only a server of {@code group}. */
	static ManagedChannel as(PlatformIdentity identity, String target, String group) {
		return Grpc.newChannelBuilder(target, new IdentityChannelCredentials(identity).forGroup(group)).build();
	}

	/**
	 * A mutual-TLS channel presenting a certificate of a CA the platform never heard of, naming the router; it trusts
	 * the platform's CA, so only its own certificate is foreign.
	 */
	ManagedChannel foreign(String target) {
		ForeignCa ca = new ForeignCa();
		PlatformTrust foreignTrust = PlatformTrust.of(TRUST_DOMAIN, List.of(ca.certificate));
		PlatformIdentity stranger = new PlatformIdentity(SpiffeId.of(TRUST_DOMAIN, "router", "router-1"), ca::issue,
				foreignTrust, 0.66, Clock.systemUTC());
		stranger.renew();
		ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
			.keyManager(new KeyManager[] { stranger.keyManager() })
			.trustManager(trust().trustManager(Set.of()))
			.build();
		return Grpc.newChannelBuilder(target, credentials).build();
	}

	/** A self-signed CA that signs whatever it is asked. */
	private static final class ForeignCa {

		private final KeyPair key = ecKey();

		private final X509Certificate certificate;

		ForeignCa() {
			try {
				X500Name name = new X500Name("CN=Not the platform CA");
				Instant now = Instant.now();
				this.certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
						name, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))),
						name, this.key.getPublic())
					.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
					.build(new JcaContentSignerBuilder("SHA256withECDSA").build(this.key.getPrivate())));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		IssuedCertificate issue(SpiffeId id, byte[] csr) {
			try {
				Instant now = Instant.now();
				X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
						new X500Name("CN=Not the platform CA"), BigInteger.TWO, Date.from(now.minusSeconds(60)),
						Date.from(now.plus(Duration.ofHours(1))), new X500Name("CN=" + id.group()),
						new JcaPKCS10CertificationRequest(csr).getPublicKey())
					.addExtension(Extension.subjectAlternativeName, true,
							new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString())))
					.build(new JcaContentSignerBuilder("SHA256withECDSA").build(this.key.getPrivate())));
				return new IssuedCertificate(List.of(leaf), List.of(this.certificate));
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		private static KeyPair ecKey() {
			try {
				KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
				generator.initialize(new ECGenParameterSpec("secp256r1"));
				return generator.generateKeyPair();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
