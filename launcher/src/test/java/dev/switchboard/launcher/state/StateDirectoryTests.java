package dev.switchboard.launcher.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class StateDirectoryTests {

	@TempDir
	Path temp;

	@Test
	void whenPasswordsMadeThenKeptOwnerOnlyAndTheSameNextTime() throws Exception {
		StateDirectory state = StateDirectory.at(this.temp.resolve("state"));
		state.create();
		String admin = state.adminPassword();
		assertThat(admin).matches("[A-Za-z0-9]{20,}");
		assertThat(StateDirectory.at(this.temp.resolve("state")).adminPassword()).isEqualTo(admin);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.path().resolve("admin.password"))))
			.isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.path()))).isEqualTo("rwx------");
	}

	@Test
	void whenClientSecretsMadeThenOnePerGroupInClientsEnv() throws Exception {
		StateDirectory state = StateDirectory.at(this.temp);
		var secrets = state.clientSecrets(List.of("auth", "compute"));
		assertThat(secrets).containsOnlyKeys("auth", "compute");
		assertThat(EnvFile.readIfExists(state.clientsFile())).containsEntry("SWITCHBOARD_COMPUTE_CLIENT_SECRET",
				secrets.get("compute"));
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.clientsFile())))
			.isEqualTo("rw-------");
	}

	@Test
	void whenAuthDatabaseExistsThenNewGroupGetsNoSecretAndOldOnesAreKept() throws Exception {
		StateDirectory state = StateDirectory.at(this.temp);
		String compute = state.clientSecrets(List.of("compute")).get("compute");
		Files.createDirectories(state.authData());
		Files.createFile(state.authData().resolve("auth.mv.db"));
		var secrets = state.clientSecrets(List.of("compute", "network"));
		assertThat(secrets).containsExactly(java.util.Map.entry("compute", compute));
	}

	@Test
	void whenDatabaseMadeBeforeItHadAPasswordThenItKeepsAnEmptyOne() throws Exception {
		StateDirectory state = StateDirectory.at(this.temp);
		Files.createDirectories(state.authData());
		Files.createFile(state.authData().resolve("auth.mv.db"));
		assertThat(state.databasePassword()).isEmpty();
	}

	@Test
	void whenSecretMadeThenNothingThatNeedsQuoting() {
		for (int i = 0; i < 100; i++) {
			assertThat(StateDirectory.randomSecret(24)).doesNotContain("/", "+", "=");
		}
	}

}
