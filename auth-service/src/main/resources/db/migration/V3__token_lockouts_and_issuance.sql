-- Token endpoint lockouts and issuance counts. Portable SQL: runs unchanged on PostgreSQL and on H2 in
-- MODE=PostgreSQL. Times are epoch milliseconds (BIGINT), as in token_failures.

-- Lockouts with growing back-off, per failure key (a client id at a remote address, or a remote address). strikes is
-- the number of lockouts since the key was last forgiven; each lasts twice the previous one, up to the maximum.
-- A row whose locked_until is older than the forgiveness period is forgotten and deleted by housekeeping.
CREATE TABLE token_lockouts (
	lockout_key VARCHAR(128) NOT NULL PRIMARY KEY,
	strikes INTEGER NOT NULL,
	locked_until BIGINT NOT NULL
);
CREATE INDEX token_lockouts_locked_until ON token_lockouts (locked_until);

-- Access tokens issued per client id and fixed window (epoch millis of its start), for the issuance limit.
CREATE TABLE token_issues (
	client_id VARCHAR(64) NOT NULL,
	window_start BIGINT NOT NULL,
	issued INTEGER NOT NULL,
	PRIMARY KEY (client_id, window_start)
);
