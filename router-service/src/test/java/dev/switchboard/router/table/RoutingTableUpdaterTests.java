package dev.switchboard.router.table;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.Replica;
import org.junit.jupiter.api.Test;

import static dev.switchboard.router.Instances.instance;
import static org.assertj.core.api.Assertions.assertThat;

class RoutingTableUpdaterTests {

	private final List<Replica> removed = new ArrayList<>();

	private final RoutingTableUpdater updater = new RoutingTableUpdater(
			(instance) -> new Replica(instance,
					new OutlierDetector(3, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1))),
			this.removed::add);

	@Test
	void whenViewArrivesThenServicesMapToGroupsAndOnlyUpReplicasAreSelectable() {
		this.updater.accept(view(1, instance("compute", "c1", InstanceStatus.UP, "x.Compute"),
				instance("compute", "c2", InstanceStatus.DOWN, "x.Compute"),
				instance("volume", "v1", InstanceStatus.UP, "x.Volume")));
		RoutingTable table = this.updater.current();
		assertThat(table.revision()).isEqualTo(1);
		assertThat(table.groupOf("x.Compute")).isEqualTo("compute");
		assertThat(table.groupOf("x.Volume")).isEqualTo("volume");
		assertThat(table.group("compute").replicas()).containsOnlyKeys("c1", "c2");
		assertThat(table.group("compute").up()).extracting(Replica::instanceId).containsExactly("c1");
	}

	@Test
	void whenInstanceUpdatedThenSameReplicaKeepsItsCounters() {
		this.updater.accept(view(1, instance("compute", "c1", InstanceStatus.UP, "x.Compute")));
		Replica first = this.updater.current().group("compute").replicas().get("c1");
		first.callStarted();
		this.updater.accept(view(2, instance("compute", "c1", InstanceStatus.OUT_OF_SERVICE, "x.Compute")));
		Replica second = this.updater.current().group("compute").replicas().get("c1");
		assertThat(second).isSameAs(first);
		assertThat(second.outstanding()).isEqualTo(1);
		assertThat(second.status()).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
		assertThat(this.updater.current().group("compute").up()).isEmpty();
		assertThat(this.removed).isEmpty();
	}

	@Test
	void whenInstanceLeavesThenItsReplicaIsReleased() {
		this.updater.accept(view(1, instance("compute", "c1", InstanceStatus.UP, "x.Compute"),
				instance("compute", "c2", InstanceStatus.UP, "x.Compute")));
		this.updater.accept(view(2, instance("compute", "c1", InstanceStatus.UP, "x.Compute")));
		assertThat(this.removed).extracting(Replica::instanceId).containsExactly("c2");
		this.updater.accept(view(3));
		assertThat(this.updater.current().groups()).isEmpty();
		assertThat(this.removed).extracting(Replica::instanceId).containsExactly("c2", "c1");
	}

	@Test
	void whenGroupDeclaresIdempotentMethodsThenTheyAreRecognized() {
		Instance declared = instance("compute", "c1", InstanceStatus.UP, "x.Compute").toBuilder()
			.putMetadata(GroupRoute.IDEMPOTENT_METHODS, "x.Compute/Get, x.Other/*")
			.build();
		this.updater.accept(view(1, declared));
		GroupRoute route = this.updater.current().group("compute");
		assertThat(route.isIdempotent("x.Compute/Get")).isTrue();
		assertThat(route.isIdempotent("x.Other/Anything")).isTrue();
		assertThat(route.isIdempotent("x.Compute/Create")).isFalse();
	}

	private static RegistryView view(long revision, Instance... instances) {
		Map<String, Instance> byId = new java.util.HashMap<>();
		for (Instance instance : instances) {
			byId.put(instance.getInstanceId(), instance);
		}
		return new RegistryView(revision, byId);
	}

}
