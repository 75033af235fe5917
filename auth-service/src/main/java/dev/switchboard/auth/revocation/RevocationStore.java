package dev.switchboard.auth.revocation;

import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.SqlTime;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code revocations} and {@code revocation_events} tables: revoked token ids, and the ordered log every replica
 * polls.
 * <p>
 * Appending takes the {@code revocation-events} lock row and numbers the event {@code MAX(sequence) + 1} in the same
 * transaction, so no event becomes visible after a later-numbered one and a reader that remembers the last sequence it
 * saw never skips one. Thread-safe; every method blocks on the database.
 */
public final class RevocationStore {

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final DatabaseLocks locks;

	private final Clock clock;

	private final List<Runnable> appendListeners = new CopyOnWriteArrayList<>();

	public RevocationStore(JdbcTemplate jdbc, TransactionTemplate transactions, Clock clock) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.locks = new DatabaseLocks(jdbc);
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Runs {@code listener} after each commit that appended events (on the committing thread). */
	public void onAppended(Runnable listener) {
		this.appendListeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * Appends an event inside the caller's transaction.
	 * @param tokenId the revoked token id, or null
	 * @param clientId the client whose tokens or grants changed, or null
	 * @return the event's sequence
	 */
	public long append(String tokenId, String clientId, Instant revokedAt) {
		this.locks.lock(DatabaseLocks.REVOCATION_EVENTS);
		long sequence = maxSequence() + 1;
		this.jdbc.update(
				"INSERT INTO revocation_events (sequence, token_id, client_id, revoked_at) VALUES (?, ?, ?, ?)",
				sequence, tokenId, clientId, SqlTime.of(revokedAt));
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					RevocationStore.this.appendListeners.forEach(Runnable::run);
				}
			});
		}
		return sequence;
	}

	/**
	 * Revokes one token until {@code expiresAt}.
	 * @return true when it was revoked now, false when it already was
	 */
	public boolean revokeToken(String tokenId, Instant expiresAt) {
		Objects.requireNonNull(tokenId, "tokenId");
		Instant now = this.clock.instant();
		Boolean revoked = this.transactions.execute((status) -> {
			if (isRevoked(tokenId)) {
				return false;
			}
			try {
				this.jdbc.update("INSERT INTO revocations (token_id, revoked_at, expires_at) VALUES (?, ?, ?)",
						tokenId, SqlTime.of(now), SqlTime.of(expiresAt));
			}
			catch (DuplicateKeyException ex) {
				status.setRollbackOnly();
				return false;
			}
			append(tokenId, null, now);
			return true;
		});
		return Boolean.TRUE.equals(revoked);
	}

	/** Returns whether the token {@code tokenId} is revoked. */
	public boolean isRevoked(String tokenId) {
		ResultSetExtractor<Boolean> any = ResultSet::next;
		return Boolean.TRUE.equals(this.jdbc.query("SELECT 1 FROM revocations WHERE token_id = ?", any, tokenId));
	}

	/** Returns the sequence of the newest event, 0 when there is none. */
	public long maxSequence() {
		Long max = this.jdbc.queryForObject("SELECT MAX(sequence) FROM revocation_events", Long.class);
		return (max != null) ? max : 0;
	}

	/**
	 * Returns every event after {@code sequence}, oldest first, when all of them are still kept and there are at most
	 * {@code limit}; empty when some may have been deleted already (or there are more), so a stream resuming from
	 * {@code sequence} cannot be told everything it missed.
	 */
	public Optional<List<RevocationEvent>> everyEventAfter(long sequence, int limit) {
		Long oldest = this.jdbc.queryForObject("SELECT MIN(sequence) FROM revocation_events", Long.class);
		if (oldest == null || oldest > sequence || sequence > maxSequence()) {
			// the newest event is always kept: none at all, or none as old as the caller's, means a gap is possible;
			// a sequence beyond the newest is from another database, whose events say nothing about this one's
			return Optional.empty();
		}
		List<RevocationEvent> events = eventsAfter(sequence, limit + 1);
		return (events.size() <= limit) ? Optional.of(events) : Optional.empty();
	}

	/** Returns up to {@code limit} events after {@code sequence}, oldest first. */
	public List<RevocationEvent> eventsAfter(long sequence, int limit) {
		return this.jdbc.query("SELECT sequence, token_id, client_id, revoked_at FROM revocation_events"
				+ " WHERE sequence > ? ORDER BY sequence LIMIT ?",
				(row, n) -> new RevocationEvent(row.getLong("sequence"), row.getString("token_id"),
						row.getString("client_id"), SqlTime.read(row, "revoked_at")),
				sequence, limit);
	}

	/**
	 * Deletes revocations of tokens that have expired anyway, and events older than {@code eventsBefore} (always
	 * keeping the newest, which carries the sequence on).
	 * @return the number of rows deleted
	 */
	public int deleteExpired(Instant eventsBefore) {
		Instant now = this.clock.instant();
		int revocations = this.jdbc.update("DELETE FROM revocations WHERE expires_at < ?", SqlTime.of(now));
		int events = this.jdbc.update("DELETE FROM revocation_events WHERE revoked_at < ?"
				+ " AND sequence < (SELECT MAX(sequence) FROM revocation_events)", SqlTime.of(eventsBefore));
		return revocations + events;
	}

}
