package dev.switchboard.auth.key;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * One RS256 signing key. Immutable; its verifier is thread-safe.
 *
 * @param kid the key id, the {@code kid} header of the tokens it signs
 * @param privateKey the private key
 * @param publicKey the public key
 * @param createdAt when it was made
 * @param retiredAt when a newer key replaced it, or null while it signs
 */
public record SigningKey(String kid, RSAPrivateKey privateKey, RSAPublicKey publicKey, Instant createdAt,
		Instant retiredAt) {

	/** The only algorithm keys sign with. */
	public static final String ALGORITHM = "RS256";

	private static final int KEY_SIZE = 2048;

	public SigningKey {
		Objects.requireNonNull(kid, "kid");
		Objects.requireNonNull(privateKey, "privateKey");
		Objects.requireNonNull(publicKey, "publicKey");
		Objects.requireNonNull(createdAt, "createdAt");
	}

	/** Makes a new 2048-bit RSA key. Takes up to a few hundred milliseconds. */
	public static SigningKey generate(Instant now) {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(KEY_SIZE);
			KeyPair pair = generator.generateKeyPair();
			return new SigningKey(UUID.randomUUID().toString(), (RSAPrivateKey) pair.getPrivate(),
					(RSAPublicKey) pair.getPublic(), now, null);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("this JVM cannot make RSA keys", ex);
		}
	}

	/** Rebuilds a stored key from its Base64 PKCS#8 private and X.509 public encodings. */
	public static SigningKey decode(String kid, String privateKey, String publicKey, Instant createdAt,
			Instant retiredAt) {
		try {
			KeyFactory factory = KeyFactory.getInstance("RSA");
			RSAPrivateKey privateRsa = (RSAPrivateKey) factory
				.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey)));
			RSAPublicKey publicRsa = (RSAPublicKey) factory
				.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
			return new SigningKey(kid, privateRsa, publicRsa, createdAt, retiredAt);
		}
		catch (NoSuchAlgorithmException | InvalidKeySpecException | IllegalArgumentException ex) {
			throw new IllegalStateException("stored signing key '" + kid + "' cannot be decoded", ex);
		}
	}

	/** Returns the Base64 PKCS#8 encoding of the private key. */
	public String encodedPrivateKey() {
		return Base64.getEncoder().encodeToString(this.privateKey.getEncoded());
	}

	/** Returns the Base64 X.509 encoding of the public key. */
	public String encodedPublicKey() {
		return Base64.getEncoder().encodeToString(this.publicKey.getEncoded());
	}

	/** Returns whether this key still signs new tokens. */
	public boolean active() {
		return this.retiredAt == null;
	}

	/** Returns when this key leaves the JWKS, or null while it signs. */
	public Instant publishedUntil(Duration retention) {
		return (this.retiredAt != null) ? this.retiredAt.plus(retention) : null;
	}

	/** Returns the key as a JWK with its private part, for signing. */
	public RSAKey toSigningJwk() {
		return new RSAKey.Builder(this.publicKey).privateKey(this.privateKey)
			.keyID(this.kid)
			.algorithm(JWSAlgorithm.RS256)
			.keyUse(KeyUse.SIGNATURE)
			.build();
	}

	/** Returns the key as a public JWK, for the JWKS. */
	public RSAKey toPublicJwk() {
		return new RSAKey.Builder(this.publicKey).keyID(this.kid)
			.algorithm(JWSAlgorithm.RS256)
			.keyUse(KeyUse.SIGNATURE)
			.build();
	}

	/** Returns a verifier of signatures made with this key. */
	public JWSVerifier verifier() {
		return new RSASSAVerifier(this.publicKey);
	}

	/** Returns this key retired at {@code at}. */
	public SigningKey withRetiredAt(Instant at) {
		return new SigningKey(this.kid, this.privateKey, this.publicKey, this.createdAt, at);
	}

	@Override
	public String toString() {
		return "SigningKey[kid=" + this.kid + ", createdAt=" + this.createdAt + ", retiredAt=" + this.retiredAt + "]";
	}

}
