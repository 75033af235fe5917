package dev.switchboard.client.connection;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.MethodDescriptor;

/**
 * Gives a call the configured deadline when its caller set none, neither on the call options nor on the current
 * {@link Context} (a deadline inherited from a server call counts as set: shortening or lengthening it is not ours to
 * do). Thread-safe and stateless.
 */
final class DefaultDeadlineInterceptor implements ClientInterceptor {

	private final long nanos;

	DefaultDeadlineInterceptor(Duration deadline) {
		this.nanos = Objects.requireNonNull(deadline, "deadline").toNanos();
	}

	@Override
	public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
			CallOptions callOptions, Channel next) {
		if (callOptions.getDeadline() == null && Context.current().getDeadline() == null) {
			return next.newCall(method, callOptions.withDeadlineAfter(this.nanos, TimeUnit.NANOSECONDS));
		}
		return next.newCall(method, callOptions);
	}

}
