package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.switchboard.cli.testing.InProcessGrpcExtension;
import dev.switchboard.cli.testing.RecordingInterceptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands end to end against an in-process server that has the standard health service and server reflection.
 * The target argument is ignored: the channel opener always connects to the test's server.
 */
class SwitchboardCliTest {

	private static final String TARGET = "127.0.0.1:1";

	private static final String CHECK = "grpc.health.v1.Health/Check";

	private static final String WATCH = "grpc.health.v1.Health/Watch";

	private static final String REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

	@RegisterExtension
	final InProcessGrpcExtension grpc = new InProcessGrpcExtension();

	private final HealthStatusManager health = new HealthStatusManager();

	private final RecordingInterceptor recorder = new RecordingInterceptor();

	private String server;

	@BeforeEach
	void startServer() throws IOException {
		this.health.setStatus("compute", ServingStatus.SERVING);
		this.server = this.grpc.start(this.recorder, this.health.getHealthService(),
				ProtoReflectionServiceV1.newInstance());
	}

	@Test
	void whenHelpThenUsageIsPrintedAndExitIsZero() {
		Result result = run("call", "--help");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.out()).startsWith("Usage: switchboard-cli").contains("--deadline").contains("Exit status:");
		assertThat(result.err()).isEmpty();
	}

	@Test
	void whenNoArgumentsThenOneLineUsageErrorAndExitOne() {
		Result result = run();

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_USAGE);
		assertThat(result.errLines()).singleElement().asString().startsWith("ERROR: no command given");
		assertThat(this.recorder.methods()).isEmpty();
	}

	@Test
	void whenListThenServicesArePrintedOnePerLine() {
		Result result = run("list", TARGET);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
	}

	@Test
	@SuppressWarnings("deprecation")
	void whenServerHasOnlyV1alphaReflectionThenListFallsBackToIt() throws IOException {
		RecordingInterceptor alphaRecorder = new RecordingInterceptor();
		String alpha = this.grpc.start(alphaRecorder, this.health.getHealthService(),
				ProtoReflectionService.newInstance());

		Result result = run(this.grpc.opener(alpha), "", "list", TARGET);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("grpc.health.v1.Health",
				"grpc.reflection.v1alpha.ServerReflection");
		assertThat(alphaRecorder.methods()).containsExactly("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
	}

	@Test
	void whenServerIsUnreachableThenUnavailableAndExitTwo() {
		Result result = run(this.grpc.opener("no-such-server"), "", "list", TARGET);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(result.errLines()).singleElement().asString().startsWith("ERROR: UNAVAILABLE: ");
	}

	@Test
	void whenDescribeServiceThenMethodsWithTypesAndStreamingKindsArePrinted() {
		Result result = run("describe", TARGET, "grpc.health.v1.Health");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).first().isEqualTo("service grpc.health.v1.Health {");
		assertThat(result.outLines()).contains(
				"  rpc Check(grpc.health.v1.HealthCheckRequest) returns (grpc.health.v1.HealthCheckResponse); // unary",
				"  rpc Watch(grpc.health.v1.HealthCheckRequest) returns (stream grpc.health.v1.HealthCheckResponse); // server-streaming");
	}

	@Test
	void whenDescribeBidiMethodThenSignatureAndRequestFieldsArePrinted() {
		Result result = run("describe", TARGET, REFLECTION);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).first().isEqualTo("rpc ServerReflectionInfo(stream grpc.reflection.v1.ServerReflectionRequest)"
				+ " returns (stream grpc.reflection.v1.ServerReflectionResponse); // bidi-streaming");
		assertThat(result.outLines()).contains("message grpc.reflection.v1.ServerReflectionRequest {",
				"  oneof message_request {", "    string file_containing_symbol = 4;");
	}

	@Test
	void whenDescribeMessageThenFieldsAndNestedEnumArePrinted() {
		Result result = run("describe", TARGET, "grpc.health.v1.HealthCheckResponse");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsSubsequence("message grpc.health.v1.HealthCheckResponse {",
				"  grpc.health.v1.HealthCheckResponse.ServingStatus status = 1;", "  enum ServingStatus {",
				"    SERVING = 1;", "  }", "}");
	}

	@Test
	void whenDescribeEnumThatReflectionDoesNotIndexThenItIsFoundInTheServicesFiles() {
		Result result = run("describe", TARGET, "grpc.health.v1.HealthCheckResponse.ServingStatus");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("enum grpc.health.v1.HealthCheckResponse.ServingStatus {",
				"  UNKNOWN = 0;", "  SERVING = 1;", "  NOT_SERVING = 2;", "  SERVICE_UNKNOWN = 3;", "}");
	}

	@Test
	void whenDescribeUnknownSymbolThenNotFoundAndExitTwo() {
		Result result = run("describe", TARGET, "no.such.Thing");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(result.errLines()).singleElement()
			.asString()
			.startsWith("ERROR: NOT_FOUND: ")
			.contains("no.such.Thing");
	}

	@Test
	void whenCallUnaryThenResponseIsPrintedAsOneLineOfJson() {
		Result result = run("call", TARGET, CHECK, "{\"service\":\"compute\"}");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{\"status\":\"SERVING\"}");
		assertThat(result.err()).isEmpty();
	}

	@Test
	void whenCallWithoutRequestThenEmptyObjectIsSent() {
		this.health.setStatus("", ServingStatus.NOT_SERVING);

		Result result = run("call", TARGET, CHECK);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{\"status\":\"NOT_SERVING\"}");
	}

	@Test
	void whenRequestComesFromStandardInputThenItIsSent() {
		Result result = run(this.grpc.opener(this.server), "{\"service\": \"compute\"}\n", "call", TARGET, CHECK, "-d",
				"-");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{\"status\":\"SERVING\"}");
	}

	@Test
	void whenRequestComesFromFileThenItIsSent(@TempDir Path directory) throws IOException {
		Path file = Files.writeString(directory.resolve("request.json"), "{\n  \"service\": \"compute\"\n}\n");

		Result result = run("call", TARGET, CHECK, "-d", "@" + file);

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{\"status\":\"SERVING\"}");
	}

	@Test
	void whenRequestFileIsMissingThenUsageErrorAndNothingIsSent(@TempDir Path directory) {
		Result result = run("call", TARGET, CHECK, "-d", "@" + directory.resolve("missing.json"));

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_USAGE);
		assertThat(result.errLines()).singleElement().asString().contains("does not exist");
		assertThat(this.recorder.methods()).isEmpty();
	}

	@Test
	void whenPrettyAndEmitDefaultsThenIndentedJsonWithDefaultFields() {
		this.health.setStatus("compute", ServingStatus.UNKNOWN);

		Result result = run("call", TARGET, CHECK, "{\"service\":\"compute\"}", "--pretty", "--emit-defaults");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{", "  \"status\": \"UNKNOWN\"", "}");
	}

	@Test
	void whenCallEndsWithErrorStatusThenErrorLineAndExitTwo() {
		Result result = run("call", TARGET, CHECK, "{\"service\":\"unknown\"}");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(result.out()).isEmpty();
		assertThat(result.errLines()).singleElement().asString().startsWith("ERROR: NOT_FOUND: ");
	}

	@Test
	void whenCallServerStreamingThenEachResponseIsPrintedAsItArrives() throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		SwitchboardCli cli = new SwitchboardCli(this.grpc.opener(this.server), InputStream.nullInputStream(), print(out),
				print(err));
		CompletableFuture<Integer> exit = CompletableFuture
			.supplyAsync(() -> cli.run("call", TARGET, WATCH, "{\"service\":\"compute\"}", "--deadline", "2s"));

		await().atMost(Duration.ofSeconds(5)).until(() -> lines(out).size() == 1);
		this.health.setStatus("compute", ServingStatus.NOT_SERVING);
		await().atMost(Duration.ofSeconds(5)).until(() -> lines(out).size() == 2);
		this.health.setStatus("compute", ServingStatus.SERVING);

		assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(lines(out)).containsExactly("{\"status\":\"SERVING\"}", "{\"status\":\"NOT_SERVING\"}",
				"{\"status\":\"SERVING\"}");
		assertThat(lines(err)).singleElement().asString().startsWith("ERROR: DEADLINE_EXCEEDED: ");
	}

	@Test
	void whenCallBidiWithObjectsOnSeparateLinesThenEachGetsItsResponse() {
		Result result = run("call", TARGET, REFLECTION, "-d",
				"{\"listServices\":\"*\"}\n{\"fileContainingSymbol\":\"grpc.health.v1.Health\"}\n");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).hasSize(2);
		assertThat(result.outLines().get(0)).contains("\"listServicesResponse\"").contains("grpc.health.v1.Health");
		assertThat(result.outLines().get(1)).contains("\"fileDescriptorResponse\"");
	}

	@Test
	void whenCallBidiWithJsonArrayThenEachElementIsSent() {
		Result result = run("call", TARGET, REFLECTION, "[{\"listServices\":\"*\"}, {\"listServices\":\"*\"}]");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).hasSize(2).allSatisfy((line) -> assertThat(line).contains("listServicesResponse"));
	}

	@Test
	void whenCallUnknownMethodThenNotFoundNamesItAndNothingIsCalled() {
		Result result = run("call", TARGET, "grpc.health.v1.Health/Nope");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(result.errLines()).singleElement()
			.isEqualTo("ERROR: NOT_FOUND: service grpc.health.v1.Health has no method Nope; it has Check, Watch");
		assertThat(this.recorder.methods()).containsOnly(REFLECTION);
	}

	@Test
	void whenCallUnknownServiceThenNotFoundNamesIt() {
		Result result = run("call", TARGET, "no.such.Service/Method");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_STATUS);
		assertThat(result.errLines()).singleElement()
			.asString()
			.startsWith("ERROR: NOT_FOUND: cannot resolve symbol 'no.such.Service'");
	}

	@Test
	void whenRequestJsonIsMalformedThenOneLineUsageErrorAndTheMethodIsNotCalled() {
		Result result = run("call", TARGET, CHECK, "{\"service\":");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_USAGE);
		assertThat(result.errLines()).singleElement()
			.asString()
			.startsWith("ERROR: invalid request JSON for grpc.health.v1.HealthCheckRequest: not JSON: End of input");
		assertThat(this.recorder.methods()).doesNotContain(CHECK);
	}

	@Test
	void whenRequestJsonHasUnknownFieldThenUsageErrorNamesIt() {
		Result result = run("call", TARGET, CHECK, "{\"servce\":\"compute\"}");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_USAGE);
		assertThat(result.errLines()).singleElement().asString().contains("servce");
		assertThat(this.recorder.methods()).doesNotContain(CHECK);
	}

	@Test
	void whenUnaryMethodGetsSeveralRequestsThenUsageError() {
		Result result = run("call", TARGET, CHECK, "[{}, {}]");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_USAGE);
		assertThat(result.errLines()).singleElement()
			.isEqualTo("ERROR: grpc.health.v1.Health/Check is unary and takes exactly one request object, not 2");
		assertThat(this.recorder.methods()).doesNotContain(CHECK);
	}

	@Test
	void whenHeadersAreGivenThenReflectionAndTheCallCarryThem() {
		Result result = run("call", TARGET, CHECK, "{\"service\":\"compute\"}", "-H", "Authorization: Bearer x",
				"--header=x-switchboard-instance: compute-1");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(this.recorder.methods()).containsExactly(REFLECTION, CHECK);
		assertThat(this.recorder.received()).allSatisfy((call) -> {
			assertThat(call.header("authorization")).isEqualTo("Bearer x");
			assertThat(call.header("x-switchboard-instance")).isEqualTo("compute-1");
		});
	}

	@Test
	void whenVerboseThenHeadersTrailersAndStatusGoToStandardError() {
		Result result = run("call", TARGET, CHECK, "{\"service\":\"compute\"}", "-v");

		assertThat(result.exit()).isEqualTo(SwitchboardCli.EXIT_OK);
		assertThat(result.outLines()).containsExactly("{\"status\":\"SERVING\"}");
		assertThat(result.errLines()).containsSubsequence("response headers:",
				"  " + RecordingInterceptor.HEADER + ": header-value", "response trailers:",
				"  " + RecordingInterceptor.TRAILER + ": trailer-value", "status: OK");
	}

	private Result run(String... args) {
		return run(this.grpc.opener(this.server), "", args);
	}

	private static Result run(ChannelOpener opener, String stdin, String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int exit = new SwitchboardCli(opener, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
				print(out), print(err))
			.run(args);
		return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	private static PrintStream print(ByteArrayOutputStream bytes) {
		return new PrintStream(bytes, true, StandardCharsets.UTF_8);
	}

	private static List<String> lines(ByteArrayOutputStream bytes) {
		return bytes.toString(StandardCharsets.UTF_8).lines().toList();
	}

	private record Result(int exit, String out, String err) {

		List<String> outLines() {
			return this.out.lines().toList();
		}

		List<String> errLines() {
			return this.err.lines().toList();
		}

	}

}
