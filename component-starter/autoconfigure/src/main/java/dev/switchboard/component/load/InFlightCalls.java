package dev.switchboard.component.load;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;


/**
 * Counts the server calls in flight, which the component reports as its load and waits on while draining, and the
 * calls completed, from which the registry derives calls per second. Health checks are not counted. Thread-safe and
 * lock-free.
 */
public final class InFlightCalls implements ServerInterceptor, CallLoad {

	private final AtomicInteger inFlight = new AtomicInteger();

	private final LongAdder completed = new LongAdder();

	@Override
	public int inFlight() {
		return this.inFlight.get();
	}

	@Override
	public long completed() {
		return this.completed.sum();
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		if ("grpc.health.v1.Health".equals(call.getMethodDescriptor().getServiceName())) {
			return next.startCall(call, headers);
		}
		this.inFlight.incrementAndGet();
		ServerCall.Listener<Q> delegate;
		try {
			delegate = next.startCall(call, headers);
		}
		catch (RuntimeException ex) {
			this.inFlight.decrementAndGet();
			throw ex;
		}
		return new SimpleForwardingServerCallListener<>(delegate) {

			private boolean done;

			@Override
			public void onComplete() {
				finish();
				super.onComplete();
			}

			@Override
			public void onCancel() {
				finish();
				super.onCancel();
			}

			// gRPC calls onComplete or onCancel once, on the call's serialized executor
			private void finish() {
				if (!this.done) {
					this.done = true;
					InFlightCalls.this.inFlight.decrementAndGet();
					InFlightCalls.this.completed.increment();
				}
			}
		};
	}

}
