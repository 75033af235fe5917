package dev.switchboard.router.proxy;

import java.util.Objects;
import java.util.function.LongSupplier;

import dev.switchboard.router.balancer.ReplicaSelector;

/**
 * What every forwarded call shares: where channels come from, how replicas are chosen, the retry budget, the limits,
 * and the clock. Immutable; its parts are thread-safe.
 */
record ForwardingContext(ReplicaChannels channels, ReplicaSelector selector, RetryBudget budget,
		ProxySettings settings, LongSupplier clock) {

	ForwardingContext {
		Objects.requireNonNull(channels, "channels");
		Objects.requireNonNull(selector, "selector");
		Objects.requireNonNull(budget, "budget");
		Objects.requireNonNull(settings, "settings");
		Objects.requireNonNull(clock, "clock");
	}

	long nanoTime() {
		return this.clock.getAsLong();
	}

}
