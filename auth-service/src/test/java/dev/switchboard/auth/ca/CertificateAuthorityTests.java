package dev.switchboard.auth.ca;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.auth.StartupException;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.SpiffeId;
import dev.switchboard.client.testing.MutableClock;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The platform CA: storage, sharing between replicas, rotation and the certificates it signs, on every database. */
@DatabaseTest
class CertificateAuthorityTests {

	private static final String TRUST_DOMAIN = "switchboard.test";

	private static final Duration CA_LIFETIME = Duration.ofDays(365);

	private static final Duration ROTATE_BEFORE = Duration.ofDays(30);

	private static final Duration CERTIFICATE_LIFETIME = Duration.ofHours(24);

	private static final KeyPair LEAF_KEY = TestCsrs.ec("secp256r1");

	private static final SpiffeId COMPUTE = SpiffeId.of(TRUST_DOMAIN, "compute", "compute-1");

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));

	private final KeyEncryptionKey kek = KeyEncryptionKey.generate();

	@TempDir
	Path folder;

	CertificateAuthorityTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
	}

	private CertificateAuthority replica() {
		return replica(this.kek, List.of());
	}

	private CertificateAuthority replica(KeyEncryptionKey key, List<TrustBundleListener> listeners) {
		return new CertificateAuthority(new CaStore(this.database.jdbc(), key), new DatabaseLocks(this.database.jdbc()),
				this.database.transactions(), this.clock, TRUST_DOMAIN,
				new CaProperties(null, null, CA_LIFETIME, ROTATE_BEFORE, CERTIFICATE_LIFETIME, null), listeners);
	}

	private static CertificateRequest request() {
		return CertificateRequest.parse(TestCsrs.csr(LEAF_KEY));
	}

	@Test
	void whenNoCaThenTheFirstCheckMakesOneSelfSignedCaAndTheNextDoesNot() throws Exception {
		CertificateAuthority authority = replica();

		assertThat(authority.rotateIfDue()).isTrue();
		assertThat(authority.rotateIfDue()).isFalse();

		X509Certificate ca = authority.cas().get(0).certificate();
		assertThat(authority.trustBundle()).containsExactly(ca);
		assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=Switchboard platform CA 1,O=" + TRUST_DOMAIN);
		assertThat(ca.getBasicConstraints()).isZero();
		assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
		assertThat(ca.getKeyUsage()[6]).as("cRLSign").isTrue();
		assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
		assertThat(ca.getNotAfter().toInstant()).isEqualTo(this.clock.instant().plus(CA_LIFETIME));
		assertThat(new JcaX509CertificateHolder(ca).getExtension(Extension.subjectKeyIdentifier)).isNotNull();
		ca.verify(ca.getPublicKey());
	}

	@Test
	void whenTwoAuthoritiesShareADatabaseThenExactlyOneCaIsMadeAndBothSignWithIt() throws Exception {
		List<CertificateAuthority> replicas = List.of(replica(), replica());
		ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
		try {
			List<Callable<Boolean>> starts = new ArrayList<>();
			replicas.forEach((authority) -> starts.add(authority::rotateIfDue));
			int made = 0;
			for (Future<Boolean> start : pool.invokeAll(starts)) {
				made += start.get() ? 1 : 0;
			}
			assertThat(made).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
		replicas.forEach(CertificateAuthority::refresh);

		assertThat(this.database.jdbc().queryForObject("SELECT COUNT(*) FROM certificate_authorities", Integer.class))
			.isEqualTo(1);
		IssuedCertificate one = replicas.get(0).issue(COMPUTE, request());
		IssuedCertificate two = replicas.get(1).issue(COMPUTE, request());
		assertThat(one.trustBundle()).isEqualTo(two.trustBundle()).hasSize(1);
		TestCsrs.validate(two.chain(), one.trustBundle(), this.clock.instant());
	}

	@Test
	void whenCertificateIsIssuedThenItValidatesAgainstTheBundleAndNamesExactlyTheIdentity() throws Exception {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();
		Instant now = this.clock.instant();

		IssuedCertificate issued = authority.issue(COMPUTE, request());

		X509Certificate leaf = issued.leaf();
		TestCsrs.validate(issued.chain(), issued.trustBundle(), now);
		assertThat(issued.chain()).hasSize(1);
		assertThat(leaf.getPublicKey()).isEqualTo(LEAF_KEY.getPublic());
		assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=compute");
		assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, COMPUTE.toString()));
		assertThat(SpiffeId.of(leaf)).isEqualTo(COMPUTE);
		assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
		assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
		assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
		assertThat(leaf.getKeyUsage()[2]).as("keyEncipherment, for RSA keys only").isFalse();
		assertThat(leaf.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofMinutes(1)));
		assertThat(leaf.getNotAfter().toInstant()).isEqualTo(now.plus(CERTIFICATE_LIFETIME));
		assertThat(leaf.getSerialNumber().signum()).isPositive();
		assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
		JcaX509CertificateHolder leafHolder = new JcaX509CertificateHolder(leaf);
		JcaX509CertificateHolder caHolder = new JcaX509CertificateHolder(issued.trustBundle().get(0));
		assertThat(AuthorityKeyIdentifier.fromExtensions(leafHolder.getExtensions()).getKeyIdentifierOctets())
			.isEqualTo(SubjectKeyIdentifier.fromExtensions(caHolder.getExtensions()).getKeyIdentifier());
		assertThat(leafHolder.getExtension(Extension.subjectKeyIdentifier)).isNotNull();
	}

	@Test
	void whenKeyIsRsaThenTheCertificateAllowsKeyEnciphermentToo() {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();

		X509Certificate leaf = authority.issue(COMPUTE, CertificateRequest.parse(TestCsrs.csr(TestCsrs.rsa(2048))))
			.leaf();

		assertThat(leaf.getKeyUsage()[0]).isTrue();
		assertThat(leaf.getKeyUsage()[2]).isTrue();
	}

	@Test
	void whenCaExpiresBeforeTheCertificateLifetimeThenTheCertificateEndsWithTheCa() {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();
		Instant caNotAfter = authority.cas().get(0).notAfter();
		this.clock.advance(CA_LIFETIME.minusHours(2));

		X509Certificate leaf = authority.issue(COMPUTE, request()).leaf();

		assertThat(leaf.getNotAfter().toInstant()).isEqualTo(caNotAfter);
	}

	@Test
	void whenIdentityIsOfAnotherTrustDomainThenNothingIsIssued() {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();

		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> authority.issue(SpiffeId.of("elsewhere.test", "compute", "c-1"), request()))
			.withMessageContaining("elsewhere.test");
	}

	@Test
	void whenRotationIsDueThenANewCaSignsAndTheOldOneStaysTrustedUntilItExpires() throws Exception {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();
		X509Certificate first = authority.trustBundle().get(0);
		IssuedCertificate before = authority.issue(COMPUTE, request());

		this.clock.advance(CA_LIFETIME.minus(ROTATE_BEFORE).minusSeconds(1));
		assertThat(authority.rotateIfDue()).isFalse();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(authority.rotateIfDue()).isTrue();

		X509Certificate second = authority.trustBundle().get(0);
		assertThat(authority.trustBundle()).containsExactly(second, first);
		IssuedCertificate after = authority.issue(COMPUTE, request());
		assertThat(after.leaf().getIssuerX500Principal()).isEqualTo(second.getSubjectX500Principal());
		assertThat(second.getSubjectX500Principal().getName()).startsWith("CN=Switchboard platform CA 2,");
		TestCsrs.validate(after.chain(), after.trustBundle(), this.clock.instant());
		TestCsrs.validate(before.chain(), after.trustBundle(), before.notBefore().plusSeconds(60));

		this.clock.advance(ROTATE_BEFORE);
		assertThat(authority.trustBundle()).containsExactly(second);
		assertThatExceptionOfType(CertPathValidatorException.class)
			.isThrownBy(() -> TestCsrs.validate(before.chain(), authority.trustBundle(),
					before.notBefore().plusSeconds(120)));
		assertThat(authority.deleteExpired()).isEqualTo(1);
	}

	@Test
	void whenRotatedOnDemandThenEveryReplicaSignsWithTheNewCaAfterItsNextRefreshAndTrustsBoth() {
		CertificateAuthority mine = replica();
		mine.rotateIfDue();
		CertificateAuthority theirs = replica();
		theirs.refresh();

		CaKey rotated = mine.rotate();
		theirs.refresh();

		assertThat(theirs.cas()).extracting(CaKey::id).containsExactly(rotated.id(), rotated.id() - 1);
		assertThat(theirs.issue(COMPUTE, request()).leaf().getIssuerX500Principal())
			.isEqualTo(rotated.certificate().getSubjectX500Principal());
	}

	@Test
	void whenCaIsStoredThenItsPrivateKeyIsSealedAndDoesNotOpenWithAnotherKek() throws Exception {
		CertificateAuthority authority = replica();
		authority.rotateIfDue();
		CaKey ca = authority.cas().get(0);
		byte[] pkcs8 = ca.privateKey().getEncoded();

		Map<String, Object> row = this.database.jdbc().queryForMap("SELECT * FROM certificate_authorities");

		String rowText = row.toString();
		byte[] sealed = Base64.getDecoder().decode((String) row.get("private_key_sealed"));
		assertThat(indexOf(sealed, pkcs8)).isNegative();
		assertThat(rowText).doesNotContain(Base64.getEncoder().encodeToString(pkcs8));
		assertThat(rowText).doesNotContain(Base64.getEncoder().encodeToString(pkcs8).substring(0, 40));
		assertThat(row.get("kek_id")).isEqualTo(this.kek.id());
		assertThat(row.get("encryption")).isEqualTo("AES-256-GCM");
		assertThat(Base64.getDecoder().decode((String) row.get("private_key_nonce"))).hasSize(12);
		KeyEncryptionKey.Sealed stored = new KeyEncryptionKey.Sealed(
				Base64.getDecoder().decode((String) row.get("private_key_nonce")), sealed, this.kek.id());
		byte[] aad = ("switchboard-ca:" + ca.id()).getBytes();
		assertThat(this.kek.open(stored, aad)).isEqualTo(pkcs8);
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> KeyEncryptionKey.generate().open(stored, aad));
		assertThat(Pem.parseCertificates((String) row.get("certificate"))).containsExactly(ca.certificate());
	}

	@Test
	void whenKekIsNotTheOneTheCaWasSealedWithThenLoadingFailsWithAOneLineReason() {
		replica().rotateIfDue();
		CertificateAuthority wrong = replica(KeyEncryptionKey.generate(), List.of());

		assertThatExceptionOfType(StartupException.class).isThrownBy(wrong::rotateIfDue)
			.withMessageContaining("CA 1 was sealed with key-encryption key " + this.kek.id())
			.withMessageContaining("switchboard.auth.ca.kek")
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
	}

	@Test
	void whenBundleFileIsConfiguredThenItHoldsTheBundleOwnerOnlyAndFollowsRotations() throws Exception {
		Path file = this.folder.resolve("state/ca.pem");
		CertificateAuthority authority = replica(this.kek, List.of(new TrustBundleFile(file)));

		authority.rotateIfDue();
		List<X509Certificate> first = Pem.readCertificates(file);
		authority.rotate();

		assertThat(first).isEqualTo(authority.trustBundle().subList(1, 2));
		assertThat(Pem.readCertificates(file)).isEqualTo(authority.trustBundle()).hasSize(2);
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		try (var files = Files.list(file.getParent())) {
			assertThat(files).containsExactly(file);
		}
	}

	@Test
	void whenAnotherReplicaRotatesThenTheBundleFileFollowsAtTheNextRefresh() {
		List<List<X509Certificate>> heard = new ArrayList<>();
		CertificateAuthority listening = replica(this.kek, List.of(heard::add));
		listening.rotateIfDue();
		listening.refresh();

		replica().rotate();
		listening.refresh();
		listening.refresh();

		assertThat(heard).hasSize(2);
		assertThat(heard.get(1)).hasSize(2).endsWith(heard.get(0).get(0));
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
