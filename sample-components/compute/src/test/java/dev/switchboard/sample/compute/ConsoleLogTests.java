package dev.switchboard.sample.compute;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.switchboard.sample.compute.v1.ServerState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConsoleLogTests {

	private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.123456789Z");

	private static ServerRecord server(String id, String flavor) {
		return new ServerRecord(id, "web-1", flavor, "ubuntu-24.04", ServerState.ACTIVE, CREATED, CREATED, List.of());
	}

	@Test
	void whenSameServerThenSameBytes() {
		assertThat(ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.small")).text())
			.isEqualTo(ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.small")).text());
	}

	@Test
	void whenOtherServerThenOtherLog() {
		assertThat(ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.small")).text())
			.isNotEqualTo(ConsoleLog.of(server("0ABCDEFGHIJKM", "m1.small")).text());
	}

	@Test
	void whenBootLogThenTimestampedLinesFromCreationToLoginPrompt() {
		String text = ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.medium")).text();
		assertThat(text.lines()).hasSizeGreaterThan(15)
			.allSatisfy((line) -> assertThat(line).matches("2026-01-02T03:04:0[5-8]\\.\\d{3}Z web-1 \\S+: .+"));
		assertThat(text).startsWith("2026-01-02T03:04:05.123Z web-1 kernel: [    0.000000] Linux version")
			.contains("smpboot: Allowing 2 CPUs", "usable 4096 MiB", "instance 0ABCDEFGHIJKL flavor m1.medium")
			.endsWith("web-1 login:\n");
	}

	@Test
	void whenCopiedAcrossTheEndThenWrapsToTheStart() {
		ConsoleLog console = ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.small"));
		byte[] log = console.text().getBytes(StandardCharsets.UTF_8);
		byte[] copied = new byte[log.length + 20];
		console.copy(3L * log.length - 10, copied);
		for (int i = 0; i < copied.length; i++) {
			assertThat(copied[i]).as("byte %d", i).isEqualTo(log[(log.length - 10 + i) % log.length]);
		}
	}

	@Test
	void whenNegativeOffsetThenRefused() {
		ConsoleLog console = ConsoleLog.of(server("0ABCDEFGHIJKL", "m1.small"));
		assertThatIllegalArgumentException().isThrownBy(() -> console.copy(-1, new byte[1]));
	}

}
