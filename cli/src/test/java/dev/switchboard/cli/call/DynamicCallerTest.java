package dev.switchboard.cli.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.switchboard.cli.testing.InProcessGrpcExtension;
import dev.switchboard.cli.testing.RecordingInterceptor;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls on a service defined only by descriptors built in the test, served with the caller's own method descriptors:
 * {@code test.Counter} with {@code Get} (unary), {@code Add} (client-streaming), {@code Tick} (server-streaming) and
 * {@code Echo} (bidi-streaming), all on {@code test.Count { int32 value = 1; }}.
 */
class DynamicCallerTest {

	private static final ServiceDescriptor COUNTER = counterService();

	private static final Descriptor COUNT = COUNTER.getFile().findMessageTypeByName("Count");

	private static final FieldDescriptor VALUE = COUNT.findFieldByName("value");

	@RegisterExtension
	final InProcessGrpcExtension grpc = new InProcessGrpcExtension();

	@Test
	void whenMethodTypeIsReadThenTheStreamingFlagsDecideIt() {
		assertThat(DynamicCaller.methodType(method("Get"))).isEqualTo(MethodType.UNARY);
		assertThat(DynamicCaller.methodType(method("Add"))).isEqualTo(MethodType.CLIENT_STREAMING);
		assertThat(DynamicCaller.methodType(method("Tick"))).isEqualTo(MethodType.SERVER_STREAMING);
		assertThat(DynamicCaller.methodType(method("Echo"))).isEqualTo(MethodType.BIDI_STREAMING);
	}

	@Test
	void whenGrpcMethodIsBuiltThenWireNameTypeAndMarshallersFitTheDescriptor() throws IOException {
		io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> add = DynamicCaller.grpcMethod(method("Add"));

		assertThat(add.getFullMethodName()).isEqualTo("test.Counter/Add");
		assertThat(add.getType()).isEqualTo(MethodType.CLIENT_STREAMING);
		DynamicMessage request = count(42);
		assertThat(add.parseRequest(add.streamRequest(request))).isEqualTo(request);
	}

	@Test
	void whenClientStreamingThenEveryRequestIsSentAndTheHandlerSeesHeadersMessageAndClose() throws IOException {
		Queue<String> events = new ConcurrentLinkedQueue<>();

		Status status = new DynamicCaller(this.grpc.channel(startCounter())).call(method("Add"),
				List.of(count(1), count(2), count(3)), CallOptions.DEFAULT, recordInto(events));

		assertThat(status.isOk()).isTrue();
		assertThat(events).containsExactly("headers", "message 6", "close OK");
	}

	@Test
	void whenBidiStreamingThenEachRequestGetsItsResponse() throws IOException {
		Queue<String> events = new ConcurrentLinkedQueue<>();

		Status status = new DynamicCaller(this.grpc.channel(startCounter())).call(method("Echo"),
				List.of(count(7), count(8)), CallOptions.DEFAULT, recordInto(events));

		assertThat(status.isOk()).isTrue();
		assertThat(events).containsExactly("headers", "message 7", "message 8", "close OK");
	}

	@Test
	void whenServerFailsTheCallThenItsStatusIsReturnedAndTheHandlerClosesWithIt() throws IOException {
		Queue<String> events = new ConcurrentLinkedQueue<>();

		Status status = new DynamicCaller(this.grpc.channel(startCounter())).call(method("Get"), List.of(count(0)),
				CallOptions.DEFAULT, recordInto(events));

		assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
		assertThat(status.getDescription()).isEqualTo("zero is not counted");
		assertThat(events).containsExactly("close FAILED_PRECONDITION");
	}

	@Test
	void whenUnaryMethodGetsTwoRequestsThenIllegalArgument() {
		DynamicCaller caller = new DynamicCaller(this.grpc.channel("unused"));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> caller.call(method("Get"), List.of(count(1), count(2)), CallOptions.DEFAULT,
					recordInto(new ConcurrentLinkedQueue<>())))
			.withMessage("test.Counter/Get takes exactly one request, not 2");
	}

	private String startCounter() throws IOException {
		ServerServiceDefinition counter = ServerServiceDefinition.builder("test.Counter")
			.addMethod(DynamicCaller.grpcMethod(method("Get")),
					ServerCalls.asyncUnaryCall((request, responses) -> {
						if (value(request) == 0) {
							responses.onError(Status.FAILED_PRECONDITION.withDescription("zero is not counted")
								.asRuntimeException());
							return;
						}
						responses.onNext(request);
						responses.onCompleted();
					}))
			.addMethod(DynamicCaller.grpcMethod(method("Add")),
					ServerCalls.asyncClientStreamingCall((responses) -> new StreamObserver<>() {

						private int sum;

						@Override
						public void onNext(DynamicMessage request) {
							this.sum += value(request);
						}

						@Override
						public void onError(Throwable error) {
						}

						@Override
						public void onCompleted() {
							responses.onNext(count(this.sum));
							responses.onCompleted();
						}

					}))
			.addMethod(DynamicCaller.grpcMethod(method("Tick")),
					ServerCalls.asyncServerStreamingCall((request, responses) -> responses.onCompleted()))
			.addMethod(DynamicCaller.grpcMethod(method("Echo")),
					ServerCalls.asyncBidiStreamingCall((responses) -> new StreamObserver<>() {

						@Override
						public void onNext(DynamicMessage request) {
							responses.onNext(request);
						}

						@Override
						public void onError(Throwable error) {
						}

						@Override
						public void onCompleted() {
							responses.onCompleted();
						}

					}))
			.build();
		return this.grpc.start(new RecordingInterceptor(), () -> counter);
	}

	private static ResponseHandler recordInto(Queue<String> events) {
		return new ResponseHandler() {

			@Override
			public void onHeaders(Metadata headers) {
				events.add("headers");
			}

			@Override
			public void onMessage(DynamicMessage response) {
				events.add("message " + value(response));
			}

			@Override
			public void onClose(Status status, Metadata trailers) {
				events.add("close " + status.getCode());
			}

		};
	}

	private static MethodDescriptor method(String name) {
		return COUNTER.findMethodByName(name);
	}

	private static DynamicMessage count(int value) {
		return DynamicMessage.newBuilder(COUNT).setField(VALUE, value).build();
	}

	private static int value(DynamicMessage message) {
		return (Integer) message.getField(VALUE);
	}

	private static ServiceDescriptor counterService() {
		FileDescriptorProto file = FileDescriptorProto.newBuilder()
			.setName("test/counter.proto")
			.setPackage("test")
			.setSyntax("proto3")
			.addMessageType(DescriptorProto.newBuilder()
				.setName("Count")
				.addField(FieldDescriptorProto.newBuilder()
					.setName("value")
					.setNumber(1)
					.setType(FieldDescriptorProto.Type.TYPE_INT32)
					.setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)))
			.addService(ServiceDescriptorProto.newBuilder()
				.setName("Counter")
				.addMethod(methodProto("Get", false, false))
				.addMethod(methodProto("Add", true, false))
				.addMethod(methodProto("Tick", false, true))
				.addMethod(methodProto("Echo", true, true)))
			.build();
		try {
			return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findServiceByName("Counter");
		}
		catch (DescriptorValidationException ex) {
			throw new IllegalStateException("the test's descriptor is invalid", ex);
		}
	}

	private static MethodDescriptorProto methodProto(String name, boolean clientStreaming, boolean serverStreaming) {
		return MethodDescriptorProto.newBuilder()
			.setName(name)
			.setInputType(".test.Count")
			.setOutputType(".test.Count")
			.setClientStreaming(clientStreaming)
			.setServerStreaming(serverStreaming)
			.build();
	}

}
