-- The platform certificate authority. Portable SQL: runs unchanged on PostgreSQL and on H2 in MODE=PostgreSQL.

-- CA key pairs (EC P-256) with their self-signed certificates. The newest CA signs; every CA until its not_after is in
-- the trust bundle. The private key is never stored in clear: private_key_sealed is the Base64 AES-256-GCM ciphertext
-- (tag appended) of its PKCS#8 encoding under the key-encryption key kek_id (a fingerprint, not the key), with the
-- Base64 12-byte private_key_nonce and the CA id as associated data. The key-encryption key lives outside the database.
CREATE TABLE certificate_authorities (
	id BIGINT NOT NULL PRIMARY KEY,
	certificate VARCHAR(8192) NOT NULL,
	private_key_sealed VARCHAR(2048) NOT NULL,
	private_key_nonce VARCHAR(32) NOT NULL,
	kek_id VARCHAR(64) NOT NULL,
	encryption VARCHAR(32) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	not_after TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX certificate_authorities_not_after ON certificate_authorities (not_after);

-- Serializes the creation and rotation of CAs across replicas.
INSERT INTO locks (name) VALUES ('certificate-authority');
