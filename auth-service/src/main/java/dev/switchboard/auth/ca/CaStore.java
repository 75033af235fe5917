package dev.switchboard.auth.ca;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import dev.switchboard.auth.StartupException;
import dev.switchboard.auth.database.SqlTime;
import dev.switchboard.client.identity.Pem;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@code certificate_authorities} table: CA certificates in PEM, their private keys sealed with the
 * {@link KeyEncryptionKey} (never in clear). Callers that add CAs hold the {@code certificate-authority} lock row.
 * Thread-safe; every method blocks on the database.
 */
public final class CaStore {

	private final JdbcTemplate jdbc;

	private final KeyEncryptionKey kek;

	public CaStore(JdbcTemplate jdbc, KeyEncryptionKey kek) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.kek = Objects.requireNonNull(kek, "kek");
	}

	/** Returns the id the next CA gets: one more than the highest stored. */
	public long nextId() {
		Long max = this.jdbc.queryForObject("SELECT MAX(id) FROM certificate_authorities", Long.class);
		return (max != null) ? max + 1 : 1;
	}

	/** Stores a new CA, its private key sealed. */
	public void insert(CaKey ca) {
		byte[] pkcs8 = ca.privateKey().getEncoded();
		KeyEncryptionKey.Sealed sealed;
		try {
			sealed = this.kek.seal(pkcs8, associatedData(ca.id()));
		}
		finally {
			Arrays.fill(pkcs8, (byte) 0);
		}
		Base64.Encoder base64 = Base64.getEncoder();
		this.jdbc.update("INSERT INTO certificate_authorities (id, certificate, private_key_sealed, private_key_nonce,"
				+ " kek_id, encryption, created_at, not_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ca.id(),
				Pem.toPem(List.of(ca.certificate())), base64.encodeToString(sealed.ciphertext()),
				base64.encodeToString(sealed.nonce()), sealed.keyId(), KeyEncryptionKey.ALGORITHM,
				SqlTime.of(ca.createdAt()), SqlTime.of(ca.notAfter()));
	}

	/**
	 * Returns the CAs valid after {@code now}, newest first, their private keys opened.
	 * @throws StartupException when a private key does not open with the configured key-encryption key
	 */
	public List<CaKey> unexpired(Instant now) {
		return this.jdbc.query("SELECT id, certificate, private_key_sealed, private_key_nonce, kek_id, encryption,"
				+ " created_at FROM certificate_authorities WHERE not_after > ? ORDER BY id DESC",
				(row, n) -> open(row.getLong("id"), row.getString("certificate"), row.getString("private_key_sealed"),
						row.getString("private_key_nonce"), row.getString("kek_id"), row.getString("encryption"),
						SqlTime.read(row, "created_at")),
				SqlTime.of(now));
	}

	/** Deletes CAs expired at {@code now}: no certificate they signed is valid any more. */
	public int deleteExpired(Instant now) {
		return this.jdbc.update("DELETE FROM certificate_authorities WHERE not_after <= ?", SqlTime.of(now));
	}

	private CaKey open(long id, String certificatePem, String sealedKey, String nonce, String kekId, String encryption,
			Instant createdAt) {
		if (!KeyEncryptionKey.ALGORITHM.equals(encryption)) {
			throw new StartupException("CA " + id + " is sealed with '" + encryption + "', which this version cannot"
					+ " open (only " + KeyEncryptionKey.ALGORITHM + ")");
		}
		if (!this.kek.id().equals(kekId)) {
			throw new StartupException("CA " + id + " was sealed with key-encryption key " + kekId
					+ " but the configured one is " + this.kek.id()
					+ ": set switchboard.auth.ca.kek (or kek-file) to the key the CA was created with");
		}
		X509Certificate certificate = Pem.parseCertificates(certificatePem).get(0);
		byte[] pkcs8 = null;
		try {
			Base64.Decoder base64 = Base64.getDecoder();
			pkcs8 = this.kek.open(new KeyEncryptionKey.Sealed(base64.decode(nonce), base64.decode(sealedKey), kekId),
					associatedData(id));
			PrivateKey privateKey = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
				.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
			return new CaKey(id, certificate, privateKey, createdAt);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new StartupException("the private key of CA " + id + " does not open with key-encryption key "
					+ this.kek.id() + ": the row was altered or is corrupt", ex);
		}
		finally {
			if (pkcs8 != null) {
				Arrays.fill(pkcs8, (byte) 0);
			}
		}
	}

	private static byte[] associatedData(long id) {
		return ("switchboard-ca:" + id).getBytes(StandardCharsets.US_ASCII);
	}

}
