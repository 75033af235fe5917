package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;

import dev.switchboard.cli.CliArguments.Command;
import org.junit.jupiter.api.Test;

class CliArgumentsTest {

	@Test
	void whenOptionsSurroundOperandsThenAllAreParsed() throws UsageException {
		CliArguments arguments = CliArguments.parse("-v", "call", "--deadline", "1.5s", "host:1", "-H",
				"X-Instance:  compute-1 ", "pkg.Service/Method", "--tls", "--pretty", "--emit-defaults", "-d", "@r.json");

		assertThat(arguments).isEqualTo(new CliArguments(Command.CALL, "host:1", "pkg.Service/Method", "@r.json",
				java.util.List.of(new Header("x-instance", "compute-1")), Duration.ofMillis(1500), true, true, true,
				true));
	}

	@Test
	void whenCallHasPositionalJsonThenItIsTheData() throws UsageException {
		CliArguments arguments = CliArguments.parse("call", "host:1", "pkg.Service.Method", "{\"a\":1}");

		assertThat(arguments.data()).isEqualTo("{\"a\":1}");
		assertThat(arguments.deadline()).isNull();
		assertThat(arguments.tls()).isFalse();
	}

	@Test
	void whenHelpAppearsAnywhereThenHelpWins() throws UsageException {
		assertThat(CliArguments.parse("list", "--help", "extra", "operands").command()).isEqualTo(Command.HELP);
		assertThat(CliArguments.parse("-h").command()).isEqualTo(Command.HELP);
	}

	@Test
	void whenNoCommandThenUsageError() {
		assertUsageError("no command given");
	}

	@Test
	void whenUnknownCommandThenUsageError() {
		assertUsageError("unknown command 'get'", "get", "host:1");
	}

	@Test
	void whenTargetIsMissingThenUsageError() {
		assertUsageError("list needs a target", "list");
	}

	@Test
	void whenUnknownOptionThenUsageError() {
		assertUsageError("unknown option '--max-time'", "list", "host:1", "--max-time", "5");
	}

	@Test
	void whenOptionLacksItsValueThenUsageError() {
		assertUsageError("option -H needs a value", "list", "host:1", "-H");
	}

	@Test
	void whenFlagGetsAValueThenUsageError() {
		assertUsageError("option --tls takes no value", "list", "host:1", "--tls=yes");
	}

	@Test
	void whenListGetsAnExtraOperandThenUsageError() {
		assertUsageError("unexpected argument 'pkg.Service'", "list", "host:1", "pkg.Service");
	}

	@Test
	void whenDescribeLacksSymbolThenUsageError() {
		assertUsageError("describe needs a service, method or message name", "describe", "host:1");
	}

	@Test
	void whenCallMethodHasNoServiceThenUsageError() {
		assertUsageError("method 'Check' is not like package.Service/Method", "call", "host:1", "Check");
	}

	@Test
	void whenRequestGivenTwiceThenUsageError() {
		assertUsageError("request given both as an argument and with -d", "call", "host:1", "pkg.S/M", "{}", "-d",
				"{}");
	}

	@Test
	void whenDataGivenToListThenUsageError() {
		assertUsageError("-d applies to call only", "list", "host:1", "-d", "{}");
	}

	@Test
	void whenTlsAndPlaintextThenUsageError() {
		assertUsageError("--tls and --cacert exclude --plaintext", "list", "host:1", "--tls", "--plaintext");
		assertUsageError("--tls and --cacert exclude --plaintext", "list", "host:1", "--cacert", "ca.pem",
				"--plaintext");
	}

	@Test
	void whenACaFileIsGivenThenTlsIsOnAndTrustsThatFile() throws Exception {
		CliArguments arguments = CliArguments.parse("list", "host:1", "--cacert=.switchboard/ca.pem");
		assertThat(arguments.tls()).isTrue();
		assertThat(arguments.caCertificates()).isEqualTo(java.nio.file.Path.of(".switchboard/ca.pem"));
		assertThat(CliArguments.parse("list", "host:1").caCertificates()).isNull();
	}

	@Test
	void whenDeadlineHasNoUnitThenUsageError() {
		assertUsageError("deadline '5' is not a duration", "list", "host:1", "--deadline", "5");
	}

	@Test
	void whenDeadlineIsZeroThenUsageError() {
		assertUsageError("must be positive", "list", "host:1", "--deadline", "0s");
	}

	@Test
	void whenDeadlineHasEachUnitThenItIsConverted() throws UsageException {
		assertThat(CliArguments.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
		assertThat(CliArguments.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
		assertThat(CliArguments.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
		assertThat(CliArguments.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void whenHeaderHasNoColonThenUsageError() {
		assertUsageError("header 'authorization Bearer x' is not 'name: value'", "list", "host:1", "-H",
				"authorization Bearer x");
	}

	@Test
	void whenHeaderNameIsInvalidThenUsageError() {
		assertUsageError("header 'bad name: x' cannot be sent", "list", "host:1", "-H", "bad name: x");
	}

	@Test
	void whenBinaryHeaderIsNotBase64ThenUsageError() {
		assertUsageError("header 'trace-bin: not base64!' cannot be sent", "list", "host:1", "-H",
				"trace-bin: not base64!");
	}

	@Test
	void whenBinaryHeaderIsBase64ThenItIsSentAsBytes() throws UsageException {
		Header header = Header.parse("trace-bin: AQID");

		assertThat(Header.toMetadata(java.util.List.of(header))
			.get(io.grpc.Metadata.Key.of("trace-bin", io.grpc.Metadata.BINARY_BYTE_MARSHALLER)))
			.containsExactly(1, 2, 3);
	}

	private static void assertUsageError(String message, String... args) {
		assertThatExceptionOfType(UsageException.class).isThrownBy(() -> CliArguments.parse(args))
			.withMessageContaining(message)
			.withMessageNotContaining("\n");
	}

}
