package dev.switchboard.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Counts failed token requests per key (a client id or a remote address) in fixed windows, in the shared
 * {@code token_failures} table, so every replica enforces the same budget. Thread-safe; blocks on the database.
 */
public final class FailureCounter {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private final long windowMillis;

	public FailureCounter(JdbcTemplate jdbc, Clock clock, Duration window) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.windowMillis = window.toMillis();
	}

	/** Returns the failures of each key in the current window (absent keys have none). */
	public Map<String, Integer> failures(String first, String second) {
		Map<String, Integer> failures = new HashMap<>();
		this.jdbc.query("SELECT failure_key, failures FROM token_failures WHERE window_start = ?"
				+ " AND failure_key IN (?, ?)", (row) -> {
					failures.put(row.getString(1), row.getInt(2));
				}, windowStart(), first, (second != null) ? second : first);
		return failures;
	}

	/** Counts one failure of {@code key} and returns the failures of the current window. */
	public int recordFailure(String key) {
		long window = windowStart();
		for (int attempt = 0; attempt < 3; attempt++) {
			int updated = this.jdbc.update("UPDATE token_failures SET failures = failures + 1"
					+ " WHERE failure_key = ? AND window_start = ?", key, window);
			if (updated == 0) {
				try {
					this.jdbc.update("INSERT INTO token_failures (failure_key, window_start, failures)"
							+ " VALUES (?, ?, 1)", key, window);
					return 1;
				}
				catch (DuplicateKeyException ex) {
					continue;
				}
			}
			Integer failures = this.jdbc.queryForObject(
					"SELECT failures FROM token_failures WHERE failure_key = ? AND window_start = ?", Integer.class,
					key, window);
			return (failures != null) ? failures : 1;
		}
		return 1;
	}

	/** Returns the whole seconds until the current window ends, at least one. */
	public long retryAfterSeconds() {
		long now = this.clock.millis();
		long end = windowStart(now) + this.windowMillis;
		return Math.max(1, (end - now + 999) / 1000);
	}

	/** Deletes the counts of windows that ended. */
	public int deleteExpired() {
		return this.jdbc.update("DELETE FROM token_failures WHERE window_start < ?", windowStart());
	}

	private long windowStart() {
		return windowStart(this.clock.millis());
	}

	private long windowStart(long millis) {
		return millis - Math.floorMod(millis, this.windowMillis);
	}

}
