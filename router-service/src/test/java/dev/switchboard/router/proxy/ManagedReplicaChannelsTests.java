package dev.switchboard.router.proxy;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.Replica;
import io.grpc.Channel;
import io.grpc.inprocess.InProcessChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.switchboard.router.Instances.instance;
import static org.assertj.core.api.Assertions.assertThat;

class ManagedReplicaChannelsTests {

	private final ClientConnectionManager manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
			(target, settings) -> InProcessChannelBuilder.forName(target).build(), Clock.systemUTC());

	private final AtomicInteger slot = new AtomicInteger();

	private final ManagedReplicaChannels channels = new ManagedReplicaChannels(this.manager, this.slot::get);

	@AfterEach
	void close() {
		this.manager.close();
	}

	@Test
	void whenCalledFromEachEventLoopThenOneConnectionPerLoopReusedAndAllClosedOnRelease() {
		Replica replica = new Replica(instance("compute", "c1", InstanceStatus.UP, "x.Compute"),
				new OutlierDetector(3, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1)), 2);
		Channel first = this.channels.channel(replica);
		assertThat(this.channels.channel(replica)).isSameAs(first);
		this.slot.set(1);
		Channel second = this.channels.channel(replica);
		assertThat(second).isNotSameAs(first);
		assertThat(this.manager.connections("compute")).hasSize(2);
		this.channels.release(replica);
		assertThat(this.manager.connections("compute")).isEmpty();
	}

	@Test
	void whenSlotBeyondTheReplicasThenTheLastIsUsed() {
		Replica replica = new Replica(instance("compute", "c1", InstanceStatus.UP, "x.Compute"),
				new OutlierDetector(3, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1)));
		this.slot.set(5);
		this.channels.channel(replica);
		assertThat(this.manager.connections("compute")).hasSize(1);
	}

}
