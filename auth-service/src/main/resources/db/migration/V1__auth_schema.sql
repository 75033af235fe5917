-- Switchboard auth schema. Portable SQL: runs unchanged on PostgreSQL and on H2 in MODE=PostgreSQL.
-- Times are TIMESTAMP WITH TIME ZONE, written and read as UTC OffsetDateTime.

-- OAuth2 clients. The secret is stored as a Spring Security delegating hash ({bcrypt}...), never in plain.
-- tokens_not_before: tokens whose iat is earlier are invalid (client disabled, secret rotated, grant removed).
CREATE TABLE clients (
	client_id VARCHAR(64) NOT NULL PRIMARY KEY,
	secret_hash VARCHAR(255) NOT NULL,
	description VARCHAR(256) NOT NULL,
	enabled BOOLEAN NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	tokens_not_before TIMESTAMP WITH TIME ZONE NOT NULL
);

-- "grant" is a reserved word in SQL, hence grant_value.
CREATE TABLE client_grants (
	client_id VARCHAR(64) NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
	grant_value VARCHAR(320) NOT NULL,
	PRIMARY KEY (client_id, grant_value)
);

-- Single revoked tokens, kept until the token would have expired anyway.
CREATE TABLE revocations (
	token_id VARCHAR(128) NOT NULL PRIMARY KEY,
	revoked_at TIMESTAMP WITH TIME ZONE NOT NULL,
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX revocations_expires_at ON revocations (expires_at);

-- Every revocation in commit order, polled by every replica to push WatchRevocations and drop its caches.
-- Writers take the 'revocation-events' lock row first and use MAX(sequence) + 1, so sequence order is commit order.
CREATE TABLE revocation_events (
	sequence BIGINT NOT NULL PRIMARY KEY,
	token_id VARCHAR(128),
	client_id VARCHAR(64),
	revoked_at TIMESTAMP WITH TIME ZONE NOT NULL,
	CHECK (token_id IS NOT NULL OR client_id IS NOT NULL)
);
CREATE INDEX revocation_events_revoked_at ON revocation_events (revoked_at);

-- RSA signing keys (PKCS#8 private and X.509 public key, Base64). The newest key with no retired_at signs;
-- retired keys stay published in the JWKS until every token they signed has expired.
CREATE TABLE signing_keys (
	kid VARCHAR(64) NOT NULL PRIMARY KEY,
	algorithm VARCHAR(16) NOT NULL,
	private_key VARCHAR(8192) NOT NULL,
	public_key VARCHAR(4096) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	retired_at TIMESTAMP WITH TIME ZONE
);

-- Failed token-endpoint attempts per client id or remote address and fixed window (epoch millis of its start).
CREATE TABLE token_failures (
	failure_key VARCHAR(128) NOT NULL,
	window_start BIGINT NOT NULL,
	failures INTEGER NOT NULL,
	PRIMARY KEY (failure_key, window_start)
);

-- Rows locked with SELECT ... FOR UPDATE to serialize work across replicas sharing the database.
CREATE TABLE locks (
	name VARCHAR(64) NOT NULL PRIMARY KEY,
	acquired_at TIMESTAMP WITH TIME ZONE
);
INSERT INTO locks (name) VALUES ('bootstrap');
INSERT INTO locks (name) VALUES ('signing-keys');
INSERT INTO locks (name) VALUES ('revocation-events');
