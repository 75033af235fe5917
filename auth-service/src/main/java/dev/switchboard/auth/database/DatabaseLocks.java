package dev.switchboard.auth.database;

import java.util.Objects;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Cluster-wide mutual exclusion through rows of the {@code locks} table: {@code SELECT ... FOR UPDATE} holds the row
 * until the surrounding transaction ends, so replicas sharing the database take turns. Thread-safe; blocks while
 * another transaction holds the row (bounded by the database's lock timeout).
 */
public final class DatabaseLocks {

	/** Serializes the one-time creation of the bootstrap clients. */
	public static final String BOOTSTRAP = "bootstrap";

	/** Serializes signing key rotation. */
	public static final String SIGNING_KEYS = "signing-keys";

	/** Serializes the creation and rotation of platform CAs. */
	public static final String CERTIFICATE_AUTHORITY = "certificate-authority";

	/** Serializes revocation event numbering, so that sequence order is commit order. */
	public static final String REVOCATION_EVENTS = "revocation-events";

	private final JdbcTemplate jdbc;

	public DatabaseLocks(JdbcTemplate jdbc) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
	}

	/**
	 * Locks the row {@code name} until the current transaction commits or rolls back.
	 * @throws IllegalStateException when called outside a transaction, where the lock would be released at once
	 */
	public void lock(String name) {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			throw new IllegalStateException("lock '" + name + "' needs a transaction");
		}
		Integer found = this.jdbc.query("SELECT 1 FROM locks WHERE name = ? FOR UPDATE",
				(rows) -> rows.next() ? 1 : null, name);
		if (found == null) {
			throw new IllegalStateException("lock row '" + name + "' is missing; were the migrations applied?");
		}
	}

}
