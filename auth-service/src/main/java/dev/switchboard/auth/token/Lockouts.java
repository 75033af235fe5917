package dev.switchboard.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Lockouts of token-endpoint keys (a client id at a remote address, or a remote address) with a growing back-off, in
 * the shared {@code token_lockouts} table, so every replica refuses the same keys for the same time.
 * <p>
 * A key's first lockout lasts {@code firstLockout}; each further one that starts within {@code forgetAfter} of the end
 * of the previous one lasts twice as long as that one, up to {@code maxLockout}. A key whose last lockout ended
 * {@code forgetAfter} ago or longer starts from a first lockout again, and its row may be deleted. Lockouts have a table
 * of their own because they and their strikes outlive the counting windows of {@link FailureCounter}. Times are epoch
 * milliseconds of {@code clock}. Thread-safe; blocks on the database.
 */
public final class Lockouts {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private final long firstMillis;

	private final long maxMillis;

	private final long forgetMillis;

	/**
	 * @param firstLockout the length of a key's first lockout
	 * @param maxLockout the longest lockout, at least {@code firstLockout}
	 * @param forgetAfter how long after its last lockout ended a key starts again from a first lockout
	 */
	public Lockouts(JdbcTemplate jdbc, Clock clock, Duration firstLockout, Duration maxLockout, Duration forgetAfter) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.firstMillis = firstLockout.toMillis();
		this.maxMillis = maxLockout.toMillis();
		this.forgetMillis = forgetAfter.toMillis();
		if (this.firstMillis < 1 || this.maxMillis < this.firstMillis || this.forgetMillis < 1) {
			throw new IllegalArgumentException("lockouts need 0 < firstLockout <= maxLockout and a positive "
					+ "forgetAfter, not " + firstLockout + ", " + maxLockout + ", " + forgetAfter);
		}
	}

	/**
	 * Returns the time left of each key's lockout, for the keys locked out now; {@code second} may be null.
	 */
	public Map<String, Duration> remaining(String first, String second) {
		long now = this.clock.millis();
		Map<String, Duration> remaining = new HashMap<>();
		this.jdbc.query("SELECT lockout_key, locked_until FROM token_lockouts WHERE lockout_key IN (?, ?)"
				+ " AND locked_until > ?", (row) -> {
					remaining.put(row.getString(1), Duration.ofMillis(row.getLong(2) - now));
				}, first, (second != null) ? second : first, now);
		return remaining;
	}

	/**
	 * Locks {@code key} out, unless it is locked out already (another request or replica got there first), and
	 * returns the lockout in force.
	 */
	public Lockout lockOut(String key) {
		Objects.requireNonNull(key, "key");
		for (int attempt = 0; attempt < 3; attempt++) {
			long now = this.clock.millis();
			Lockout previous = find(key);
			if (previous == null) {
				Lockout first = new Lockout(key, 1, Instant.ofEpochMilli(now + this.firstMillis), true);
				try {
					this.jdbc.update("INSERT INTO token_lockouts (lockout_key, strikes, locked_until) VALUES (?, ?, ?)",
							key, first.strikes(), first.until().toEpochMilli());
					return first;
				}
				catch (DuplicateKeyException ex) {
					continue;
				}
			}
			long previousEnd = previous.until().toEpochMilli();
			if (previousEnd > now) {
				return previous;
			}
			int strikes = (now - previousEnd >= this.forgetMillis) ? 1 : previous.strikes() + 1;
			Lockout next = new Lockout(key, strikes, Instant.ofEpochMilli(now + lengthMillis(strikes)), true);
			// compare-and-set on the previous end: of two replicas locking the key at once, one wins, one re-reads
			int updated = this.jdbc.update("UPDATE token_lockouts SET strikes = ?, locked_until = ?"
					+ " WHERE lockout_key = ? AND locked_until = ?", next.strikes(), next.until().toEpochMilli(), key,
					previousEnd);
			if (updated == 1) {
				return next;
			}
		}
		Lockout current = find(key);
		if (current == null) {
			throw new IllegalStateException("lockout of '" + key + "' vanished while it was written");
		}
		return current;
	}

	/** Returns the length of a key's lockout number {@code strikes}: the first doubled once per earlier strike. */
	private long lengthMillis(int strikes) {
		long length = this.firstMillis;
		for (int strike = 1; strike < strikes && length < this.maxMillis; strike++) {
			length = (length > this.maxMillis / 2) ? this.maxMillis : length * 2;
		}
		return length;
	}

	/** Deletes the lockouts of keys forgiven: those that ended {@code forgetAfter} ago or longer. */
	public int deleteForgotten() {
		return this.jdbc.update("DELETE FROM token_lockouts WHERE locked_until <= ?",
				this.clock.millis() - this.forgetMillis);
	}

	private Lockout find(String key) {
		return this.jdbc.query("SELECT strikes, locked_until FROM token_lockouts WHERE lockout_key = ?",
				(rows) -> rows.next() ? new Lockout(key, rows.getInt(1), Instant.ofEpochMilli(rows.getLong(2)), false)
						: null,
				key);
	}

	/**
	 * A key's lockout.
	 *
	 * @param key the key locked out
	 * @param strikes its number among the key's lockouts not yet forgotten, 1 for the first
	 * @param until when it ends
	 * @param startedNow whether the call that returned it started it
	 */
	public record Lockout(String key, int strikes, Instant until, boolean startedNow) {

	}

}
