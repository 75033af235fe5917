package dev.switchboard.cli.reflection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.google.protobuf.ApiProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.switchboard.cli.testing.InProcessGrpcExtension;
import dev.switchboard.cli.testing.RecordingInterceptor;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.reflection.v1.ErrorResponse;
import io.grpc.reflection.v1.FileDescriptorResponse;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReflectionClientTest {

	@RegisterExtension
	final InProcessGrpcExtension grpc = new InProcessGrpcExtension();

	private final RecordingInterceptor recorder = new RecordingInterceptor();

	@Test
	void whenMethodIsResolvedThenTypesAndStreamingComeFromTheServer() throws IOException {
		ReflectionClient client = client(startHealthServer());

		MethodDescriptor watch = client.resolveMethod("grpc.health.v1.Health/Watch");

		assertThat(watch.getFullName()).isEqualTo("grpc.health.v1.Health.Watch");
		assertThat(watch.isServerStreaming()).isTrue();
		assertThat(watch.isClientStreaming()).isFalse();
		assertThat(watch.getInputType().getFullName()).isEqualTo("grpc.health.v1.HealthCheckRequest");
		assertThat(watch.getOutputType().findFieldByName("status").getEnumType().getFullName())
			.isEqualTo("grpc.health.v1.HealthCheckResponse.ServingStatus");
	}

	@Test
	void whenSymbolsOfOneFileAreResolvedAgainThenTheServerIsAskedOnce() throws IOException {
		ReflectionClient client = client(startHealthServer());

		client.resolveMethod("grpc.health.v1.Health/Check");
		client.resolveMethod("grpc.health.v1.Health.Watch");
		client.resolveMessage("grpc.health.v1.HealthCheckRequest");
		client.resolve(".grpc.health.v1.HealthCheckResponse.ServingStatus");

		assertThat(this.recorder.methods()).containsExactly("grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
	}

	@Test
	void whenServerSendsOnlyTheAskedFileThenImportsAreFetchedByName() throws IOException {
		OneFileReflection reflection = new OneFileReflection(ApiProto.getDescriptor());
		ReflectionClient client = client(this.grpc.start(this.recorder, reflection));

		Descriptor api = client.resolveMessage("google.protobuf.Api");

		assertThat(api.findFieldByName("methods").getMessageType().getFullName()).isEqualTo("google.protobuf.Method");
		assertThat(api.findFieldByName("source_context").getMessageType().getFile().getName())
			.isEqualTo("google/protobuf/source_context.proto");
		assertThat(reflection.asked).containsExactlyInAnyOrder("symbol google.protobuf.Api",
				"file google/protobuf/source_context.proto", "file google/protobuf/type.proto",
				"file google/protobuf/any.proto");
	}

	@Test
	void whenServiceIsUnknownThenNotFound() throws IOException {
		ReflectionClient client = client(startHealthServer());

		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> client.resolveMethod("no.such.Service/Method"))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND))
			.withMessageContaining("no.such.Service");
	}

	@Test
	void whenMethodNameIsAMessageThenNotFoundSaysWhatItIs() throws IOException {
		ReflectionClient client = client(startHealthServer());

		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> client.resolveMethod("grpc.health.v1.HealthCheckRequest/Check"))
			.withMessage("NOT_FOUND: 'grpc.health.v1.HealthCheckRequest' is a message, not a service");
	}

	@Test
	@SuppressWarnings("deprecation")
	void whenServerHasOnlyV1alphaThenV1IsTriedOnceAndV1alphaUsedFromThenOn() throws IOException {
		HealthStatusManager health = new HealthStatusManager();
		String server = this.grpc.start(this.recorder, health.getHealthService(), ProtoReflectionService.newInstance());
		Queue<String> sent = new ConcurrentLinkedQueue<>();
		ReflectionClient client = new ReflectionClient(
				ClientInterceptors.intercept(this.grpc.channel(server), recordMethods(sent)), CallOptions.DEFAULT);

		assertThat(client.listServices()).contains("grpc.health.v1.Health");
		assertThat(client.resolveService("grpc.health.v1.Health").getMethods()).isNotEmpty();

		assertThat(sent).containsExactly(ReflectionClient.V1.getFullMethodName(),
				ReflectionClient.V1ALPHA.getFullMethodName(), ReflectionClient.V1ALPHA.getFullMethodName());
	}

	@Test
	void whenServerHasNoReflectionThenUnimplementedSaysSo() throws IOException {
		HealthStatusManager health = new HealthStatusManager();
		ReflectionClient client = client(this.grpc.start(this.recorder, health.getHealthService()));

		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(client::listServices)
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED))
			.withMessageContaining("no reflection service");
	}

	private String startHealthServer() throws IOException {
		return this.grpc.start(this.recorder, new HealthStatusManager().getHealthService(),
				ProtoReflectionServiceV1.newInstance());
	}

	private ReflectionClient client(String server) {
		return new ReflectionClient(this.grpc.channel(server), CallOptions.DEFAULT);
	}

	private static ClientInterceptor recordMethods(Queue<String> sent) {
		return new ClientInterceptor() {

			@Override
			public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(io.grpc.MethodDescriptor<ReqT, RespT> method,
					CallOptions options, Channel next) {
				sent.add(method.getFullMethodName());
				return next.newCall(method, options);
			}

		};
	}

	/**
	 * Reflection like a server that answers each request with the one file asked for, never its imports, and records
	 * what it was asked.
	 */
	private static final class OneFileReflection extends ServerReflectionGrpc.ServerReflectionImplBase {

		private final Map<String, FileDescriptor> files = new HashMap<>();

		final Queue<String> asked = new ConcurrentLinkedQueue<>();

		OneFileReflection(FileDescriptor root) {
			Deque<FileDescriptor> pending = new ArrayDeque<>(List.of(root));
			while (!pending.isEmpty()) {
				FileDescriptor file = pending.pop();
				if (this.files.putIfAbsent(file.getName(), file) == null) {
					pending.addAll(file.getDependencies());
				}
			}
		}

		@Override
		public StreamObserver<ServerReflectionRequest> serverReflectionInfo(
				StreamObserver<ServerReflectionResponse> responses) {
			return new StreamObserver<>() {

				@Override
				public void onNext(ServerReflectionRequest request) {
					FileDescriptor file = switch (request.getMessageRequestCase()) {
						case FILE_CONTAINING_SYMBOL -> {
							OneFileReflection.this.asked.add("symbol " + request.getFileContainingSymbol());
							yield containing(request.getFileContainingSymbol());
						}
						case FILE_BY_FILENAME -> {
							OneFileReflection.this.asked.add("file " + request.getFileByFilename());
							yield OneFileReflection.this.files.get(request.getFileByFilename());
						}
						default -> null;
					};
					ServerReflectionResponse.Builder response = ServerReflectionResponse.newBuilder()
						.setOriginalRequest(request);
					if (file == null) {
						response.setErrorResponse(ErrorResponse.newBuilder()
							.setErrorCode(Status.Code.NOT_FOUND.value())
							.setErrorMessage("not here"));
					}
					else {
						response.setFileDescriptorResponse(
								FileDescriptorResponse.newBuilder().addFileDescriptorProto(file.toProto().toByteString()));
					}
					responses.onNext(response.build());
				}

				@Override
				public void onError(Throwable error) {
				}

				@Override
				public void onCompleted() {
					responses.onCompleted();
				}

			};
		}

		private FileDescriptor containing(String symbol) {
			for (FileDescriptor file : this.files.values()) {
				String prefix = file.getPackage() + ".";
				if (symbol.startsWith(prefix) && file.findMessageTypeByName(symbol.substring(prefix.length())) != null) {
					return file;
				}
			}
			return null;
		}

	}

}
