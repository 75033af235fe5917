package dev.switchboard.auth.database;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Converts between {@link Instant} and {@code TIMESTAMP WITH TIME ZONE} columns the same way on PostgreSQL and H2:
 * through UTC {@link OffsetDateTime}, which both drivers map natively. Stateless.
 */
public final class SqlTime {

	private SqlTime() {
	}

	/** Returns the value to bind for {@code instant}, or null. */
	public static OffsetDateTime of(Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	/** Reads a timestamp column, or null when it is SQL NULL. */
	public static Instant read(ResultSet row, String column) throws SQLException {
		OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
