package dev.switchboard.launcher.platform;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryViewTests {

	@Test
	void whenRegistryAnswersThenOneRowPerInstanceByGroupWithHeader() {
		String answer = """
				{"groups": {
				  "router": [{"instanceId": "router-1", "host": "127.0.0.1", "port": 9100, "status": "UP",
				              "leaseAgeMillis": 120, "callsPerSecond": 12.34, "services": ["a.B"]}],
				  "compute": [{"instanceId": "compute-1", "host": "127.0.0.1", "port": 40000, "status": "STARTING",
				               "leaseAgeMillis": null, "services": ["c.D", "c.E"]}]}}
				""";
		String table = RegistryView.table(JsonMapper.builder().build().readTree(answer));
		assertThat(table.lines().toList()).containsExactly(
				"GROUP      INSTANCE                           gRPC ADDRESS           STATUS          LEASE AGE  CALLS/S  SERVICES",
				"compute    compute-1                          127.0.0.1:40000        STARTING                -      0.0  c.D, c.E",
				"router     router-1                           127.0.0.1:9100         UP                 120 ms     12.3  a.B");
	}

}
