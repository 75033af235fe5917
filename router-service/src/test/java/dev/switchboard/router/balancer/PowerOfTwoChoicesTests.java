package dev.switchboard.router.balancer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.table.GroupRoute;
import org.junit.jupiter.api.Test;

import static dev.switchboard.router.Instances.instance;
import static org.assertj.core.api.Assertions.assertThat;

class PowerOfTwoChoicesTests {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final SplittableRandom random = new SplittableRandom(42);

	private final PowerOfTwoChoices selector = new PowerOfTwoChoices(() -> this.random, this.now::get);

	@Test
	void whenOneReplicaIsBusyThenTheOtherGetsTheCalls() {
		Replica busy = replica("a", InstanceStatus.UP);
		Replica idle = replica("b", InstanceStatus.UP);
		for (int i = 0; i < 5; i++) {
			busy.callStarted();
		}
		GroupRoute route = GroupRoute.of("g", List.of(busy, idle));
		for (int i = 0; i < 100; i++) {
			assertThat(this.selector.select(route, null)).isSameAs(idle);
		}
	}

	@Test
	void whenLoadIsEvenThenCallsSpreadOverEveryReplica() {
		List<Replica> replicas = List.of(replica("a", InstanceStatus.UP), replica("b", InstanceStatus.UP),
				replica("c", InstanceStatus.UP));
		GroupRoute route = GroupRoute.of("g", replicas);
		Map<String, Integer> picks = new HashMap<>();
		for (int i = 0; i < 3000; i++) {
			Replica chosen = this.selector.select(route, null);
			picks.merge(chosen.instanceId(), 1, Integer::sum);
			chosen.callStarted(); // calls stay outstanding: least-outstanding keeps them even
		}
		assertThat(picks.values()).allSatisfy((count) -> assertThat(count).isBetween(990, 1010));
	}

	@Test
	void whenAReplicaMovesOnBeforeItsNewRouteIsInForceThenTheRouteStillSaysTheStatesItChoseBy() {
		// the routing table updates a replica's registration, then publishes the route built from it: a call on the
		// route still in force must not read "no UP replica (1 UP)"
		Replica starting = replica("a", InstanceStatus.STARTING);
		GroupRoute route = GroupRoute.of("g", List.of(starting));
		starting.update(instance("g", "a", InstanceStatus.UP));
		assertThat(this.selector.select(route, null)).isNull();
		assertThat(route.states()).isEqualTo("1 STARTING");
	}

	@Test
	void whenOnlyNonUpReplicasThenNone() {
		GroupRoute route = GroupRoute.of("g",
				List.of(replica("a", InstanceStatus.DOWN), replica("b", InstanceStatus.OUT_OF_SERVICE)));
		assertThat(this.selector.select(route, null)).isNull();
		assertThat(route.states()).contains("1 DOWN").contains("1 OUT_OF_SERVICE");
	}

	@Test
	void whenReplicaEjectedThenSkippedUnlessAllAre() {
		Replica failing = replica("a", InstanceStatus.UP);
		Replica healthy = replica("b", InstanceStatus.UP);
		for (int i = 0; i < 3; i++) {
			failing.callStarted();
			failing.callEnded(false, this.now.get());
		}
		assertThat(failing.outlier().isEjected(this.now.get())).isTrue();
		GroupRoute both = GroupRoute.of("g", List.of(failing, healthy));
		for (int i = 0; i < 50; i++) {
			assertThat(this.selector.select(both, null)).isSameAs(healthy);
		}
		// with nothing better, an ejected replica still beats failing the call
		assertThat(this.selector.select(GroupRoute.of("g", List.of(failing)), null)).isSameAs(failing);
	}

	@Test
	void whenExcludedThenAnotherIsChosenOrNone() {
		Replica a = replica("a", InstanceStatus.UP);
		Replica b = replica("b", InstanceStatus.UP);
		GroupRoute route = GroupRoute.of("g", List.of(a, b));
		for (int i = 0; i < 20; i++) {
			assertThat(this.selector.select(route, a)).isSameAs(b);
		}
		assertThat(this.selector.select(GroupRoute.of("g", List.of(a)), a)).isNull();
	}

	@Test
	void whenReportedLoadIsSmallThenIdleReplicasShareTheCalls() {
		Replica reportsOne = new Replica(instance("g", "a", InstanceStatus.UP).toBuilder().setInFlight(1).build(),
				detector());
		Replica reportsNone = replica("b", InstanceStatus.UP);
		GroupRoute route = GroupRoute.of("g", List.of(reportsOne, reportsNone));
		Map<String, Integer> picks = new HashMap<>();
		for (int i = 0; i < 200; i++) {
			picks.merge(this.selector.select(route, null).instanceId(), 1, Integer::sum);
		}
		// a once-a-second sample of one call in flight must not steer every call away
		assertThat(picks).containsKeys("a", "b");
	}

	@Test
	void whenReplicaReportsHighLoadThenItCostsMore() {
		Replica loaded = new Replica(instance("g", "a", InstanceStatus.UP).toBuilder().setInFlight(50).build(),
				detector());
		Replica light = replica("b", InstanceStatus.UP);
		light.callStarted();
		assertThat(PowerOfTwoChoices.cost(loaded, this.now.get()))
			.isGreaterThan(PowerOfTwoChoices.cost(light, this.now.get()));
	}

	private Replica replica(String id, InstanceStatus status) {
		return new Replica(instance("g", id, status), detector());
	}

	private static OutlierDetector detector() {
		return new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10));
	}

}
