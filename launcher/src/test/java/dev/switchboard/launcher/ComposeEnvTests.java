package dev.switchboard.launcher;

import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ComposeEnvTests {

	@Test
	void whenEmptySecretThenFilledAndEverythingElseKept() {
		assertThat(ComposeEnv.withSecret("SWITCHBOARD_ADMIN_PASSWORD=")).matches("SWITCHBOARD_ADMIN_PASSWORD=\\w{20,}");
		assertThat(ComposeEnv.withSecret("SWITCHBOARD_ISSUER=")).isEqualTo("SWITCHBOARD_ISSUER=");
		assertThat(ComposeEnv.withSecret("SWITCHBOARD_X=set")).isEqualTo("SWITCHBOARD_X=set");
		assertThat(ComposeEnv.withSecret("# comment=")).isEqualTo("# comment=");
	}

	@Test
	void whenCaKeyThenThirtyTwoBytesInBase64() {
		String line = ComposeEnv.withSecret("SWITCHBOARD_CA_KEK=");
		assertThat(Base64.getDecoder().decode(line.substring("SWITCHBOARD_CA_KEK=".length()))).hasSize(32);
	}

}
