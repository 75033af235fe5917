package dev.switchboard.launcher.admin;

import java.util.List;

import dev.switchboard.launcher.LauncherException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AdminRequestTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void whenCreateClientThenAuthCallWithGrantsAsJsonEvenWithQuotes() {
		AdminRequest request = AdminRequest.parse("create-client", List.of("ci\"x", "call:compute/*", "discover"))
			.orElseThrow();
		assertThat(request.auth()).isTrue();
		assertThat(request.method()).isEqualTo("switchboard.auth.v1.Auth/CreateClient");
		JsonNode body = this.json.readTree(request.body());
		assertThat(body.path("clientId").asString()).isEqualTo("ci\"x");
		assertThat(body.path("grants").valueStream().map(JsonNode::asString)).containsExactly("call:compute/*",
				"discover");
	}

	@Test
	void whenRevokeTokenThenJwtByValueElseById() {
		assertThat(AdminRequest.parse("revoke-token", List.of("a.b.c")).orElseThrow().body()).contains("\"token\"");
		assertThat(AdminRequest.parse("revoke-token", List.of("0123")).orElseThrow().body()).contains("\"tokenId\"");
	}

	@Test
	void whenOutOfServiceThenRegistryCallAndOnlyOnOrOff() {
		AdminRequest request = AdminRequest.parse("out-of-service", List.of("compute-1", "on")).orElseThrow();
		assertThat(request.auth()).isFalse();
		assertThat(this.json.readTree(request.body()).path("outOfService").asBoolean()).isTrue();
		assertThatExceptionOfType(LauncherException.class)
			.isThrownBy(() -> AdminRequest.parse("out-of-service", List.of("compute-1", "maybe")))
			.withMessage("usage: admin out-of-service <instance-id> on|off");
	}

	@Test
	void whenUnknownCommandThenNoRequest() {
		assertThat(AdminRequest.parse("help", List.of())).isEmpty();
	}

}
