package dev.switchboard.cli.call;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * Calls a method known only by its protobuf descriptor, with {@link DynamicMessage} requests and responses, for all
 * four call types.
 * <p>
 * Thread-safe; {@link #call} blocks the calling thread until the call closes, while the {@link ResponseHandler} runs on
 * the channel's executor.
 */
public final class DynamicCaller {

	private final Channel channel;

	/**
	 * Creates a caller.
	 * @param channel the channel to call on, with whatever interceptors calls need; not shut down by this caller
	 */
	public DynamicCaller(Channel channel) {
		this.channel = requireNonNull(channel, "channel");
	}

	/**
	 * Tells the call type from the streaming flags of a method's descriptor.
	 * @param method the method
	 * @return unary, client-streaming, server-streaming or bidi-streaming
	 */
	public static MethodType methodType(Descriptors.MethodDescriptor method) {
		requireNonNull(method, "method");
		if (method.isClientStreaming()) {
			return method.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
		}
		return method.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
	}

	/**
	 * Builds the gRPC method for a protobuf method: its wire name, call type and marshallers that read and write
	 * {@link DynamicMessage}s of the request and response types.
	 * @param method the method, as resolved by reflection
	 * @return a method descriptor to call it with
	 */
	public static MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(Descriptors.MethodDescriptor method) {
		return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
			.setType(methodType(method))
			.setFullMethodName(MethodDescriptor.generateFullMethodName(method.getService().getFullName(),
					method.getName()))
			.setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
			.setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
			.build();
	}

	/**
	 * Runs one call and waits for it to close. All requests are sent at once, then the client half-closes; responses
	 * go to the handler as they arrive.
	 * @param method the method to call
	 * @param requests the requests, of the method's request type: exactly one for unary and server-streaming methods,
	 * any number for client- and bidi-streaming ones
	 * @param options the call's options, e.g. its deadline
	 * @param handler receives the headers, each response and the close
	 * @return the status the call closed with; {@code CANCELLED} when the waiting thread was interrupted
	 * @throws IllegalArgumentException when a unary or server-streaming method gets other than one request
	 */
	public Status call(Descriptors.MethodDescriptor method, List<DynamicMessage> requests, CallOptions options,
			ResponseHandler handler) {
		requireNonNull(requests, "requests");
		requireNonNull(options, "options");
		requireNonNull(handler, "handler");
		MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod = grpcMethod(method);
		MethodType type = grpcMethod.getType();
		if (type.clientSendsOneMessage() && requests.size() != 1) {
			throw new IllegalArgumentException(grpcMethod.getFullMethodName() + " takes exactly one request, not "
					+ requests.size());
		}
		CompletableFuture<Status> closed = new CompletableFuture<>();
		ClientCall<DynamicMessage, DynamicMessage> call = ClientInterceptors
			.intercept(this.channel, new ReportingInterceptor(handler))
			.newCall(grpcMethod, options);
		StreamObserver<DynamicMessage> responses = new StreamObserver<>() {

			@Override
			public void onNext(DynamicMessage response) {
				handler.onMessage(response);
			}

			@Override
			public void onError(Throwable error) {
				closed.complete(Status.fromThrowable(error));
			}

			@Override
			public void onCompleted() {
				closed.complete(Status.OK);
			}

		};
		switch (type) {
			case UNARY -> ClientCalls.asyncUnaryCall(call, requests.get(0), responses);
			case SERVER_STREAMING -> ClientCalls.asyncServerStreamingCall(call, requests.get(0), responses);
			case CLIENT_STREAMING -> sendAll(ClientCalls.asyncClientStreamingCall(call, responses), requests);
			case BIDI_STREAMING -> sendAll(ClientCalls.asyncBidiStreamingCall(call, responses), requests);
			default -> throw new IllegalStateException("no call type for " + grpcMethod.getFullMethodName());
		}
		try {
			return closed.get();
		}
		catch (InterruptedException ex) {
			call.cancel("interrupted", ex);
			Thread.currentThread().interrupt();
			return Status.CANCELLED.withDescription("interrupted").withCause(ex);
		}
		catch (ExecutionException ex) {
			// the future is only ever completed normally
			throw new IllegalStateException("call ended abnormally", ex);
		}
	}

	private static void sendAll(StreamObserver<DynamicMessage> stream, List<DynamicMessage> requests) {
		requests.forEach(stream::onNext);
		stream.onCompleted();
	}

	/** Passes headers and the close to the handler; ClientCalls' observer only sees messages and the status. */
	private static final class ReportingInterceptor implements ClientInterceptor {

		private final ResponseHandler handler;

		ReportingInterceptor(ResponseHandler handler) {
			this.handler = handler;
		}

		@Override
		public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
				CallOptions options, Channel next) {
			return new SimpleForwardingClientCall<>(next.newCall(method, options)) {

				@Override
				public void start(Listener<RespT> listener, Metadata headers) {
					super.start(new SimpleForwardingClientCallListener<>(listener) {

						@Override
						public void onHeaders(Metadata responseHeaders) {
							ReportingInterceptor.this.handler.onHeaders(responseHeaders);
							super.onHeaders(responseHeaders);
						}

						@Override
						public void onClose(Status status, Metadata trailers) {
							// before the observer hears of it, so the handler is done when call() returns
							try {
								ReportingInterceptor.this.handler.onClose(status, trailers);
							}
							finally {
								super.onClose(status, trailers);
							}
						}

					}, headers);
				}

			};
		}

	}

}
