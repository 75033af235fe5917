package dev.switchboard.auth.ca;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;

import dev.switchboard.auth.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Where the key-encryption key comes from, and what it seals. */
class KeyEncryptionKeyTests {

	private static final byte[] AAD = "switchboard-ca:1".getBytes(StandardCharsets.US_ASCII);

	@TempDir
	Path folder;

	private static CaProperties kek(String kek, Path kekFile) {
		CaProperties defaults = CaProperties.defaults();
		return new CaProperties(kek, kekFile, defaults.caLifetime(), defaults.rotateBefore(),
				defaults.certificateLifetime(), null);
	}

	@Test
	void whenNothingIsConfiguredThenAKeyFileIsCreatedOwnerOnlyInTheDataDirAndReadNextTime() throws Exception {
		Path dataDir = this.folder.resolve("auth");

		KeyEncryptionKey created = KeyEncryptionKey.load(CaProperties.defaults(), dataDir);
		KeyEncryptionKey again = KeyEncryptionKey.load(CaProperties.defaults(), dataDir);

		Path file = dataDir.resolve("ca.kek");
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
		assertThat(again.id()).isEqualTo(created.id());
		try (var files = Files.list(dataDir)) {
			assertThat(files).containsExactly(file);
		}
	}

	@Test
	void whenKekPropertyIsSetThenItWinsOverTheFileAndNoFileIsCreated() {
		byte[] raw = new byte[32];
		raw[0] = 7;

		KeyEncryptionKey kek = KeyEncryptionKey.load(kek(Base64.getEncoder().encodeToString(raw), null), this.folder);

		assertThat(kek.id()).isEqualTo(KeyEncryptionKey.of(raw).id());
		assertThat(this.folder.resolve("ca.kek")).doesNotExist();
	}

	@Test
	void whenKekFileIsConfiguredThenItIsRead() throws Exception {
		byte[] raw = new byte[32];
		raw[31] = 9;
		Path file = Files.writeString(this.folder.resolve("my.kek"), Base64.getEncoder().encodeToString(raw) + "\n");

		assertThat(KeyEncryptionKey.load(kek(null, file), this.folder).id())
			.isEqualTo(KeyEncryptionKey.of(raw).id());
	}

	@Test
	void whenKekIsNotTheBase64Of32BytesThenStartupFailsWithoutShowingIt() {
		String sixteen = Base64.getEncoder().encodeToString(new byte[16]);

		assertThatExceptionOfType(StartupException.class)
			.isThrownBy(() -> KeyEncryptionKey.load(kek(sixteen, null), this.folder))
			.withMessage("switchboard.auth.ca.kek holds 16 bytes; an AES-256 key-encryption key has 32");
		assertThatExceptionOfType(StartupException.class)
			.isThrownBy(() -> KeyEncryptionKey.load(kek("not*base64", null), this.folder))
			.withMessageContaining("is not Base64")
			.withMessageNotContaining("not*base64");
	}

	@Test
	void whenKekFileIsMissingThenStartupFailsNamingIt() {
		Path missing = this.folder.resolve("missing.kek");

		assertThatExceptionOfType(StartupException.class)
			.isThrownBy(() -> KeyEncryptionKey.load(kek(null, missing), this.folder))
			.withMessageContaining(missing.toString());
	}

	@Test
	void whenSealedThenOnlyTheSameKeyAndAssociatedDataOpenIt() throws Exception {
		KeyEncryptionKey kek = KeyEncryptionKey.generate();
		byte[] secret = "private key bytes".getBytes(StandardCharsets.US_ASCII);

		KeyEncryptionKey.Sealed sealed = kek.seal(secret, AAD);
		KeyEncryptionKey.Sealed again = kek.seal(secret, AAD);

		assertThat(sealed.nonce()).hasSize(12).isNotEqualTo(again.nonce());
		assertThat(sealed.keyId()).isEqualTo(kek.id());
		assertThat(kek.open(sealed, AAD)).isEqualTo(secret);
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> KeyEncryptionKey.generate().open(sealed, AAD));
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> kek.open(sealed, "switchboard-ca:2".getBytes(StandardCharsets.US_ASCII)));
	}

}
