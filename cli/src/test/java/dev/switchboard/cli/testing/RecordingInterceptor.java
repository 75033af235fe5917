package dev.switchboard.cli.testing;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Records the method and request headers of every call a server receives, and marks each response with the header
 * {@value #HEADER}{@code : header-value} and the trailer {@value #TRAILER}{@code : trailer-value}.
 */
public final class RecordingInterceptor implements ServerInterceptor {

	/** The response header added to every call. */
	public static final String HEADER = "x-test-header";

	/** The trailer added to every call. */
	public static final String TRAILER = "x-test-trailer";

	private final Queue<Received> received = new ConcurrentLinkedQueue<>();

	/**
	 * One call as the server saw it.
	 * @param method the full method name
	 * @param headers the request headers
	 */
	public record Received(String method, Metadata headers) {

		/**
		 * One request header.
		 * @param name the header's name
		 * @return its last value, or {@code null}
		 */
		public String header(String name) {
			return this.headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
		}

	}

	/**
	 * The calls received so far.
	 * @return the calls, in order
	 */
	public List<Received> received() {
		return List.copyOf(this.received);
	}

	/**
	 * The methods called so far.
	 * @return the full method names, in order
	 */
	public List<String> methods() {
		return this.received.stream().map(Received::method).toList();
	}

	@Override
	public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
			ServerCallHandler<ReqT, RespT> next) {
		this.received.add(new Received(call.getMethodDescriptor().getFullMethodName(), headers));
		return next.startCall(new SimpleForwardingServerCall<>(call) {

			@Override
			public void sendHeaders(Metadata responseHeaders) {
				responseHeaders.put(Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER), "header-value");
				super.sendHeaders(responseHeaders);
			}

			@Override
			public void close(Status status, Metadata trailers) {
				trailers.put(Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER), "trailer-value");
				super.close(status, trailers);
			}

		}, headers);
	}

}
