package dev.switchboard.auth.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.switchboard.auth.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AES-256 key that seals CA private keys in the database (AES-256-GCM, a random 12-byte nonce per sealing, a
 * 128-bit tag, the CA id as associated data so a sealed key cannot be moved to another row). Its {@link #id()} is a
 * fingerprint (the first 8 bytes of SHA-256 over the key, hex), stored beside every sealed key, so a wrong key is
 * named as such rather than as corrupt data. The key itself is never logged or stored with what it seals.
 * Thread-safe and immutable.
 */
public final class KeyEncryptionKey {

	/** The algorithm recorded beside every sealed key. */
	public static final String ALGORITHM = "AES-256-GCM";

	private static final Logger logger = LoggerFactory.getLogger(KeyEncryptionKey.class);

	private static final int KEY_BYTES = 32;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final SecureRandom random = new SecureRandom();

	private final SecretKeySpec key;

	private final String id;

	private KeyEncryptionKey(byte[] key) {
		if (key.length != KEY_BYTES) {
			throw new IllegalArgumentException("a key-encryption key has 32 bytes, not " + key.length);
		}
		this.key = new SecretKeySpec(key, "AES");
		this.id = fingerprint(key);
	}

	/** Returns the key of these 32 bytes (copied). */
	public static KeyEncryptionKey of(byte[] key) {
		return new KeyEncryptionKey(key.clone());
	}

	/** Returns a new random key, for tests and for the default key file. */
	public static KeyEncryptionKey generate() {
		byte[] key = new byte[KEY_BYTES];
		random.nextBytes(key);
		return new KeyEncryptionKey(key);
	}

	/**
	 * Returns the configured key: {@code properties.kek()}, else the contents of {@code properties.kekFile()}, else
	 * those of {@code <dataDir>/ca.kek}, which is created with a new random key (mode 600) when it does not exist.
	 * @throws StartupException when the configured key is not the Base64 of 32 bytes, or its file cannot be read
	 */
	public static KeyEncryptionKey load(CaProperties properties, Path dataDir) {
		Objects.requireNonNull(properties, "properties");
		Objects.requireNonNull(dataDir, "dataDir");
		if (properties.kek() != null && !properties.kek().isBlank()) {
			return decode(properties.kek(), "switchboard.auth.ca.kek");
		}
		if (properties.kekFile() != null) {
			Path file = properties.kekFile();
			if (!Files.isRegularFile(file)) {
				throw new StartupException("switchboard.auth.ca.kek-file " + file + " does not exist");
			}
			return read(file);
		}
		Path file = dataDir.resolve("ca.kek");
		if (Files.exists(file)) {
			return read(file);
		}
		return create(file);
	}

	private static KeyEncryptionKey read(Path file) {
		try {
			if (isPosix() && !Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
				.containsAll(Files.getPosixFilePermissions(file))) {
				logger.warn("CA key-encryption key file {} is readable by others than its owner; chmod 600 it", file);
			}
			return decode(Files.readString(file, StandardCharsets.US_ASCII), "the CA key-encryption key file " + file);
		}
		catch (IOException ex) {
			throw new StartupException("cannot read the CA key-encryption key file " + file + ": " + ex, ex);
		}
	}

	private static KeyEncryptionKey create(Path file) {
		KeyEncryptionKey created = generate();
		byte[] raw = created.key.getEncoded();
		try {
			Path absolute = file.toAbsolutePath();
			Files.createDirectories(absolute.getParent());
			Path temporary = isPosix()
					? Files.createTempFile(absolute.getParent(), ".ca-kek", ".tmp",
							PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
					: Files.createTempFile(absolute.getParent(), ".ca-kek", ".tmp");
			try {
				Files.writeString(temporary, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
				try {
					Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
				}
				catch (AtomicMoveNotSupportedException ex) {
					Files.move(temporary, absolute);
				}
			}
			finally {
				Files.deleteIfExists(temporary);
			}
		}
		catch (IOException ex) {
			throw new StartupException("cannot create the CA key-encryption key file " + file + ": " + ex, ex);
		}
		finally {
			Arrays.fill(raw, (byte) 0);
		}
		logger.info("Created the CA key-encryption key file {} (mode 600, key id {}): keep it with the database, and "
				+ "give every replica the same key (switchboard.auth.ca.kek or kek-file)", file, created.id);
		return created;
	}

	private static KeyEncryptionKey decode(String base64, String where) {
		byte[] key;
		try {
			key = Base64.getDecoder().decode(base64.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new StartupException(where + " is not Base64 (expected the Base64 of 32 random bytes)");
		}
		try {
			if (key.length != KEY_BYTES) {
				throw new StartupException(
						where + " holds " + key.length + " bytes; an AES-256 key-encryption key has 32");
			}
			return new KeyEncryptionKey(key);
		}
		finally {
			Arrays.fill(key, (byte) 0);
		}
	}

	private static boolean isPosix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}

	/** Returns the key's fingerprint, recorded beside what it seals. */
	public String id() {
		return this.id;
	}

	/**
	 * Seals {@code plain} with a fresh nonce.
	 * @param associatedData authenticated but not encrypted, needed again to open
	 */
	public Sealed seal(byte[] plain, byte[] associatedData) {
		byte[] nonce = new byte[NONCE_BYTES];
		random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associatedData);
			return new Sealed(nonce, cipher.doFinal(plain), this.id);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("this JVM cannot encrypt with AES-GCM", ex);
		}
	}

	/**
	 * Opens what {@link #seal} sealed with the same associated data.
	 * @throws GeneralSecurityException when this is not the key it was sealed with, or the data was altered
	 */
	public byte[] open(Sealed sealed, byte[] associatedData) throws GeneralSecurityException {
		Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
		cipher.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
		cipher.updateAAD(associatedData);
		return cipher.doFinal(sealed.ciphertext());
	}

	private static String fingerprint(byte[] key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("this JVM has no SHA-256", ex);
		}
	}

	@Override
	public String toString() {
		return "KeyEncryptionKey[id=" + this.id + "]";
	}

	/**
	 * Sealed bytes as stored. Immutable.
	 *
	 * @param nonce the 12-byte GCM nonce
	 * @param ciphertext the ciphertext followed by the tag
	 * @param keyId the {@link KeyEncryptionKey#id()} of the key that sealed them
	 */
	public record Sealed(byte[] nonce, byte[] ciphertext, String keyId) {

		public Sealed {
			Objects.requireNonNull(nonce, "nonce");
			Objects.requireNonNull(ciphertext, "ciphertext");
			Objects.requireNonNull(keyId, "keyId");
		}

	}

}
