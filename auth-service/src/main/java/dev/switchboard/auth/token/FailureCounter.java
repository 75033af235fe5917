package dev.switchboard.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Counts failed token requests per key (a client id at a remote address, or a remote address) in fixed windows, in
 * the shared {@code token_failures} table, so every replica counts against the same budget. Thread-safe; blocks on
 * the database.
 */
public final class FailureCounter {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private final FixedWindow window;

	public FailureCounter(JdbcTemplate jdbc, Clock clock, Duration window) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.window = FixedWindow.of(window);
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

	/** Deletes the counts of windows that ended. */
	public int deleteExpired() {
		return this.jdbc.update("DELETE FROM token_failures WHERE window_start < ?", windowStart());
	}

	private long windowStart() {
		return this.window.start(this.clock.millis());
	}

}
