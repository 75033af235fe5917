package dev.switchboard.router.proxy;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Limits the calls each principal (the OAuth2 client id a caller's token was issued to) makes through the router: one
 * token bucket per principal, at its own {@link CallRate} or the default one. A call over the limit is counted in
 * {@code switchboard.router.rate-limited} (untagged) and refused with {@code RESOURCE_EXHAUSTED}.
 * <p>
 * Buckets live in a map of at most {@code maxPrincipals}, so callers holding tokens of many clients cannot grow it
 * without bound. A bucket idle for longer than it takes to refill is dropped, which loses nothing (a new one starts
 * full, as it would be); only beyond {@code maxPrincipals} active principals can a principal start afresh early.
 * <p>
 * Thread-safe, lock-free on a known principal, never blocks: called on the caller's event loop or the auth client's
 * thread.
 */
public final class PrincipalRateLimiter {

	/**
	 * How much longer than its refill time an idle bucket is kept: Caffeine refreshes an entry's access time only
	 * once it is about a second old, and dropping a bucket that is not full yet would give its principal a new burst.
	 */
	private static final Duration IDLE_MARGIN = Duration.ofMinutes(1);

	private final CallRate standard;

	private final Map<String, CallRate> overrides;

	private final LongSupplier clock;

	private final Cache<String, Bucket> buckets;

	private final Counter refused;

	/**
	 * @param standard the rate of every principal {@code overrides} does not name
	 * @param overrides the rates of particular principals by client id
	 * @param maxPrincipals the most principals whose buckets are kept
	 * @param clock a nanosecond clock ({@code System::nanoTime})
	 * @param meters where the refusal counter goes
	 */
	public PrincipalRateLimiter(CallRate standard, Map<String, CallRate> overrides, int maxPrincipals,
			LongSupplier clock, MeterRegistry meters) {
		this.standard = Objects.requireNonNull(standard, "standard");
		this.overrides = Map.copyOf(overrides);
		this.clock = Objects.requireNonNull(clock, "clock");
		if (maxPrincipals < 1) {
			throw new IllegalArgumentException("maxPrincipals must be positive, not " + maxPrincipals);
		}
		long longestRefill = this.overrides.values()
			.stream()
			.mapToLong(CallRate::toleranceNanos)
			.reduce(standard.toleranceNanos(), Math::max);
		this.buckets = Caffeine.newBuilder()
			.maximumSize(maxPrincipals)
			.expireAfterAccess(Duration.ofNanos(longestRefill).plus(IDLE_MARGIN))
			.ticker(clock::getAsLong)
			// the upkeep is a few entries at a time: cheaper done on the calling thread than handed to a pool
			.executor(Runnable::run)
			.build();
		this.refused = Counter.builder("switchboard.router.rate-limited")
			.description("Calls refused because their principal was over its rate limit")
			.register(Objects.requireNonNull(meters, "meters"));
	}

	/**
	 * Takes one call from {@code principal}'s bucket (never {@code null}; calls without one are not limited).
	 * @return {@code null} when the call may go on, else the {@code RESOURCE_EXHAUSTED} status to close it with
	 */
	public Status admit(String principal) {
		Bucket bucket = this.buckets.get(principal, this::newBucket);
		if (bucket.tryTake(this.clock.getAsLong())) {
			return null;
		}
		this.refused.increment();
		return bucket.refusal;
	}

	/** Returns how many principals' buckets are kept, after any pending eviction. */
	long principals() {
		this.buckets.cleanUp();
		return this.buckets.estimatedSize();
	}

	private Bucket newBucket(String principal) {
		CallRate rate = this.overrides.getOrDefault(principal, this.standard);
		return new Bucket(rate, this.clock.getAsLong(), Status.RESOURCE_EXHAUSTED.withDescription("client '"
				+ CallRouter.printable(principal) + "' is over its rate limit of " + rate.describe()));
	}

	/**
	 * A token bucket kept as the time it will next be full (the generic cell rate algorithm): a call is allowed when
	 * that time, pushed one interval further, is at most the bucket's whole refill time ahead; one CAS per call.
	 */
	private static final class Bucket {

		private final long interval;

		private final long tolerance;

		private final Status refusal;

		private final AtomicLong fullAt;

		Bucket(CallRate rate, long now, Status refusal) {
			this.interval = rate.intervalNanos();
			this.tolerance = rate.toleranceNanos();
			this.refusal = refusal;
			this.fullAt = new AtomicLong(now);
		}

		boolean tryTake(long now) {
			while (true) {
				long full = this.fullAt.get();
				// differences, not comparisons, of nanoTime values: they may wrap
				long next = ((full - now > 0) ? full : now) + this.interval;
				if (next - now > this.tolerance) {
					return false;
				}
				if (this.fullAt.compareAndSet(full, next)) {
					return true;
				}
			}
		}

	}

}
