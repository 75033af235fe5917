package dev.switchboard.router.balancer;

import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import dev.switchboard.router.table.GroupRoute;

/**
 * Power of two choices: pick two UP replicas at random and send to the cheaper one, where cost is the calls this
 * router has outstanding on it plus one, scaled up by the load the replica reports (each full 10 calls in flight
 * there doubles it), divided by its weight and by its slow-start factor after an ejection. Ejected replicas are skipped
 * unless every UP replica is ejected.
 * <p>
 * Thread-safe; the random source is supplied per call (a seeded one in tests, {@code ThreadLocalRandom} in
 * production).
 */
public final class PowerOfTwoChoices implements ReplicaSelector {

	private final Supplier<RandomGenerator> random;

	private final LongSupplier nanoClock;

	public PowerOfTwoChoices(Supplier<RandomGenerator> random, LongSupplier nanoClock) {
		this.random = Objects.requireNonNull(random, "random");
		this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
	}

	@Override
	public Replica select(GroupRoute route, Replica excluded) {
		Replica[] up = route.up();
		long now = this.nanoClock.getAsLong();
		Replica chosen = pick(up, excluded, now, false);
		return (chosen != null) ? chosen : pick(up, excluded, now, true);
	}

	private Replica pick(Replica[] up, Replica excluded, long now, boolean includeEjected) {
		int n = up.length;
		if (n == 0) {
			return null;
		}
		RandomGenerator random = this.random.get();
		int first = random.nextInt(n);
		int second = (n > 1) ? (first + 1 + random.nextInt(n - 1)) % n : first;
		Replica a = eligible(up[first], excluded, now, includeEjected) ? up[first] : null;
		Replica b = eligible(up[second], excluded, now, includeEjected) ? up[second] : null;
		if (a == null && b == null) {
			// both draws unusable: scan once, still O(n) only on this rare path
			for (int i = 0; i < n; i++) {
				Replica candidate = up[(first + i) % n];
				if (eligible(candidate, excluded, now, includeEjected)) {
					return candidate;
				}
			}
			return null;
		}
		if (a == null || b == null) {
			return (a != null) ? a : b;
		}
		return (cost(a, now) <= cost(b, now)) ? a : b;
	}

	private static boolean eligible(Replica replica, Replica excluded, long now, boolean includeEjected) {
		return replica != excluded && (includeEjected || !replica.outlier().isEjected(now));
	}

	static double cost(Replica replica, long now) {
		int weight = Math.max(1, replica.instance().getWeight());
		// reported load is a once-a-second sample: count it in steps of ten calls, so a stale "1 in flight" does not
		// steer every light-load tie away from a replica
		double load = 1.0 + replica.instance().getInFlight() / 10;
		double factor = Math.max(0.1, replica.outlier().weightFactor(now));
		return (replica.outstanding() + 1) * load / (weight * factor);
	}

}
