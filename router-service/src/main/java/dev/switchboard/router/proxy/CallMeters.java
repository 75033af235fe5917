package dev.switchboard.router.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.switchboard.client.auth.Action;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the router keeps per group and method: the authorization action ({@code call:<group>/<method>}), made once,
 * and a timer per status code ({@code switchboard.router.calls}, tagged group, method, status), created on first use
 * of each code and reused, so recording a call is an array read.
 */
final class CallMeters {

	private final MeterRegistry registry;

	private final String group;

	private final String method;

	private final Action action;

	private final AtomicReferenceArray<Timer> byCode = new AtomicReferenceArray<>(Status.Code.values().length);

	CallMeters(MeterRegistry registry, String group, String method) {
		this.registry = registry;
		this.group = group;
		this.method = method;
		this.action = Action.call(group, method);
	}

	Action action() {
		return this.action;
	}

	String group() {
		return this.group;
	}

	void record(Status.Code code, long nanos) {
		Timer timer = this.byCode.get(code.value());
		if (timer == null) {
			timer = Timer.builder("switchboard.router.calls")
				.description("Calls through the router by group, method and status")
				.tags("group", this.group, "method", this.method, "status", code.name())
				.publishPercentileHistogram()
				.minimumExpectedValue(Duration.ofNanos(50_000))
				.maximumExpectedValue(Duration.ofSeconds(30))
				.register(this.registry);
			this.byCode.set(code.value(), timer);
		}
		timer.record(nanos, TimeUnit.NANOSECONDS);
	}

}
