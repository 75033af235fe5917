package dev.switchboard.client.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.ClientSettings;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process gRPC server for one test, under a unique name, with two raw string methods: {@code Echo} answers at
 * once, {@code Hold} never answers (to keep a call in flight). Records the deadline each {@code Echo} call arrived with.
 * Register with {@code @RegisterExtension}; started before and shut down after each test.
 */
public final class EchoServer implements BeforeEachCallback, AfterEachCallback {

	public static final MethodDescriptor<String, String> ECHO = method("Echo");

	public static final MethodDescriptor<String, String> HOLD = method("Hold");

	private final AtomicReference<Deadline> lastDeadline = new AtomicReference<>();

	private final BlockingQueue<StreamObserver<String>> held = new LinkedBlockingQueue<>();

	private String name;

	private Server server;

	@Override
	public void beforeEach(ExtensionContext context) throws IOException {
		this.name = "echo-" + UUID.randomUUID();
		ServerServiceDefinition service = ServerServiceDefinition.builder("test.EchoService")
			.addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
				this.lastDeadline.set(Context.current().getDeadline());
				response.onNext(request);
				response.onCompleted();
			}))
			.addMethod(HOLD, ServerCalls.asyncUnaryCall((request, response) -> this.held.add(response)))
			.build();
		this.server = InProcessServerBuilder.forName(this.name).directExecutor().addService(service).build().start();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.server.shutdownNow();
	}

	/** Returns the target that reaches this server through {@link #channelFactory()}. */
	public String target() {
		return this.name;
	}

	/** Returns a factory of direct-executor in-process channels; the target is the server name. */
	public ChannelFactory channelFactory() {
		return EchoServer::inProcessChannel;
	}

	public static ManagedChannel inProcessChannel(String target, ClientSettings settings) {
		return InProcessChannelBuilder.forName(target).directExecutor().build();
	}

	/** Returns the deadline the last {@code Echo} call arrived with, or null. */
	public Deadline lastDeadline() {
		return this.lastDeadline.get();
	}

	public static String echo(Channel channel, String message) {
		return ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, message);
	}

	public static String echo(Channel channel, CallOptions options, String message) {
		return ClientCalls.blockingUnaryCall(channel, ECHO, options, message);
	}

	private static MethodDescriptor<String, String> method(String name) {
		return MethodDescriptor.<String, String>newBuilder()
			.setType(MethodDescriptor.MethodType.UNARY)
			.setFullMethodName(MethodDescriptor.generateFullMethodName("test.EchoService", name))
			.setRequestMarshaller(StringMarshaller.INSTANCE)
			.setResponseMarshaller(StringMarshaller.INSTANCE)
			.build();
	}

	private enum StringMarshaller implements MethodDescriptor.Marshaller<String> {

		INSTANCE;

		@Override
		public InputStream stream(String value) {
			return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
		}

		@Override
		public String parse(InputStream stream) {
			try {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
