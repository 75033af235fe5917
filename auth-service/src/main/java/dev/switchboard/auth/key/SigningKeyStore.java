package dev.switchboard.auth.key;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.switchboard.auth.database.SqlTime;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The {@code signing_keys} table. Callers that change keys hold the {@code signing-keys} lock row. Thread-safe; every
 * method blocks on the database.
 */
public final class SigningKeyStore {

	private static final RowMapper<SigningKey> KEY = (row, n) -> SigningKey.decode(row.getString("kid"),
			row.getString("private_key"), row.getString("public_key"), SqlTime.read(row, "created_at"),
			SqlTime.read(row, "retired_at"));

	private final JdbcTemplate jdbc;

	public SigningKeyStore(JdbcTemplate jdbc) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
	}

	/** Stores a new key. */
	public void insert(SigningKey key) {
		this.jdbc.update("INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at, retired_at)"
				+ " VALUES (?, ?, ?, ?, ?, ?)", key.kid(), SigningKey.ALGORITHM, key.encodedPrivateKey(),
				key.encodedPublicKey(), SqlTime.of(key.createdAt()), SqlTime.of(key.retiredAt()));
	}

	/** Retires every key that still signs. */
	public int retireActive(Instant at) {
		return this.jdbc.update("UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL", SqlTime.of(at));
	}

	/** Returns the keys that sign or were retired after {@code retiredAfter}, newest first. */
	public List<SigningKey> published(Instant retiredAfter) {
		return this.jdbc.query("SELECT kid, private_key, public_key, created_at, retired_at FROM signing_keys"
				+ " WHERE retired_at IS NULL OR retired_at > ? ORDER BY created_at DESC, kid DESC", KEY,
				SqlTime.of(retiredAfter));
	}

	/** Deletes keys retired before {@code retiredBefore}, whose tokens have all expired. */
	public int deleteRetired(Instant retiredBefore) {
		return this.jdbc.update("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= ?",
				SqlTime.of(retiredBefore));
	}

}
