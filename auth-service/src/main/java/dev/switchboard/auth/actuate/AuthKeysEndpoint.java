package dev.switchboard.auth.actuate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.switchboard.auth.key.KeyRing;
import dev.switchboard.auth.key.SigningKey;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code authkeys} actuator endpoint: {@code GET /actuator/authkeys} lists the published signing keys (never
 * their private parts); {@code POST /actuator/authkeys} rotates at once, for example after a suspected key leak
 * (every replica signs with the new key within seconds; tokens signed by the old one stay valid until they expire —
 * revoke them through the Auth API if they must die sooner). Scheduled rotation happens anyway every
 * {@code switchboard.auth.key-rotation}. Like every non-public actuator endpoint it needs the ADMIN role.
 */
@Endpoint(id = "authkeys")
public final class AuthKeysEndpoint {

	private final KeyRing keys;

	public AuthKeysEndpoint(KeyRing keys) {
		this.keys = Objects.requireNonNull(keys, "keys");
	}

	@ReadOperation
	public KeysDescriptor keys() {
		this.keys.refresh();
		return describe();
	}

	@WriteOperation
	public KeysDescriptor rotate() {
		this.keys.rotate();
		return describe();
	}

	private KeysDescriptor describe() {
		List<KeyDescriptor> published = this.keys.published()
			.stream()
			.map((key) -> KeyDescriptor.of(key, key.publishedUntil(this.keys.retention())))
			.toList();
		return new KeysDescriptor(published);
	}

	/**
	 * @param keys the published keys, newest (the signing one) first
	 */
	public record KeysDescriptor(List<KeyDescriptor> keys) implements OperationResponseBody {
	}

	/**
	 * One key as an operator reads it.
	 *
	 * @param kid the key id tokens name
	 * @param algorithm the signature algorithm
	 * @param active whether it signs new tokens
	 * @param createdAt when it was made
	 * @param retiredAt when it stopped signing, or null
	 * @param publishedUntil when it leaves the JWKS, or null while it signs
	 */
	public record KeyDescriptor(String kid, String algorithm, boolean active, Instant createdAt, Instant retiredAt,
			Instant publishedUntil) {

		static KeyDescriptor of(SigningKey key, Instant publishedUntil) {
			return new KeyDescriptor(key.kid(), SigningKey.ALGORITHM, key.active(), key.createdAt(), key.retiredAt(),
					publishedUntil);
		}

	}

}
