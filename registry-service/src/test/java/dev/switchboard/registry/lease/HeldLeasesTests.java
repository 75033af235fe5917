package dev.switchboard.registry.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.client.testing.MutableClock;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.switchboard.registry.TestHazelcast.join;
import static org.assertj.core.api.Assertions.assertThat;

/** Leases held by the replica that holds the streams: what reaches the cluster, and when a silent instance goes. */
class HeldLeasesTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final Duration CHECKPOINT = INTERVAL.multipliedBy(5);

	/** How often the registry sweeps: a quarter of the interval. */
	private static final Duration SWEEP = INTERVAL.dividedBy(4);

	private static HazelcastInstance hazelcast;

	private MutableClock clock;

	private InstanceStore store;

	private HeldLeases leases;

	private LeaseSweeper sweeper;

	private String group;

	@BeforeAll
	static void startHazelcast() {
		hazelcast = TestHazelcast.start();
	}

	@AfterAll
	static void stopHazelcast() {
		hazelcast.shutdown();
	}

	@BeforeEach
	void newStore() {
		this.clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		this.store = new InstanceStore(hazelcast, this.clock);
		this.leases = new HeldLeases(this.store, this.clock, TTL, CHECKPOINT);
		this.sweeper = new LeaseSweeper(this.store, this.leases, TTL, CHECKPOINT, new SimpleMeterRegistry());
		this.group = "g" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void whenAnInstanceBeatsThenTheClusterIsWrittenOnlyAtItsFirstBeatAndEachCheckpoint() {
		register("a");
		HeldLeases.Hold hold = firstBeat("a");
		long held = this.clock.millis();
		List<Long> written = new java.util.ArrayList<>();
		// a beat every interval for three checkpoints, swept every quarter interval, as the registry runs
		for (long at = SWEEP.toMillis(); at <= 3 * CHECKPOINT.toMillis(); at += SWEEP.toMillis()) {
			this.clock.advance(SWEEP);
			if (at % INTERVAL.toMillis() == 0) {
				hold.renew();
			}
			assertThat(sweep()).isEmpty();
			long renewed = writtenRenewal("a");
			if (written.isEmpty() || written.get(written.size() - 1) != renewed) {
				written.add(renewed);
			}
		}
		// fifteen beats, three writes: the first beat's, then one each time a checkpoint interval has passed
		assertThat(written).containsExactly(held, held + CHECKPOINT.toMillis(), held + 2 * CHECKPOINT.toMillis());
		assertThat(this.leases.renewals(Set.of(id("a")))).containsEntry(id("a"), this.clock.millis());
	}

	@Test
	void whenAHeldInstanceFallsSilentThenItGoesAfterTtlAndWithinTtlPlusOneInterval() {
		register("a");
		HeldLeases.Hold hold = firstBeat("a");
		long lastBeat = this.clock.millis();
		for (long at = SWEEP.toMillis(); at <= 10 * INTERVAL.toMillis(); at += SWEEP.toMillis()) {
			this.clock.advance(SWEEP);
			if (at % INTERVAL.toMillis() == 0) {
				hold.renew();
				lastBeat = this.clock.millis();
			}
			assertThat(sweep()).isEmpty();
		}
		long evictedAt = -1;
		while (evictedAt < 0 && this.clock.millis() - lastBeat <= 2 * TTL.plus(INTERVAL).toMillis()) {
			this.clock.advance(SWEEP);
			if (!sweep().isEmpty()) {
				evictedAt = this.clock.millis();
			}
		}
		assertThat(evictedAt - lastBeat).isGreaterThan(TTL.toMillis()).isLessThanOrEqualTo(TTL.plus(INTERVAL).toMillis());
		assertThat(this.store.find(id("a"))).isEmpty();
		assertThat(this.leases.size()).isZero();
	}

	@Test
	void whenABeatWaitsOnTheClusterThenTheLeaseStaysRenewedTillTheWriteCompletesAndRunsFromThere() {
		register("a");
		HeldLeases.Hold hold = firstBeat("a");
		// a beat the cluster takes long to write, as one on a partition being promoted: the stream sends no other
		CompletableFuture<Void> write = new CompletableFuture<>();
		hold.renewedDuring(write);
		this.clock.advance(TTL.multipliedBy(3));
		assertThat(sweep()).isEmpty();
		write.complete(null);
		this.clock.advance(TTL);
		assertThat(sweep()).isEmpty();
		this.clock.advance(SWEEP);
		assertThat(sweep()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	@Test
	void whenItsStreamEndsThenTheLeaseRunsFromTheLastBeatAndAnotherStreamMayTakeItOver() {
		register("a");
		register("b");
		HeldLeases.Hold a = firstBeat("a");
		HeldLeases.Hold b = firstBeat("b");
		this.clock.advance(INTERVAL);
		a.renew();
		b.renew();
		long lastBeat = this.clock.millis();
		join(a.release());
		join(b.release());
		assertThat(this.leases.size()).isZero();
		assertThat(writtenRenewal("a")).isEqualTo(lastBeat);
		// b's instance comes back on a new stream within the TTL; a's does not
		this.clock.advance(TTL.minus(SWEEP));
		firstBeat("b");
		this.clock.advance(SWEEP.multipliedBy(2));
		assertThat(sweep()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
		this.clock.advance(TTL.minus(SWEEP));
		assertThat(sweep()).extracting(InstanceRecord::instanceId).containsExactly(id("b"));
	}

	@Test
	void whenAnotherStreamOfTheReplicaHoldsTheLeaseThenTheOldStreamsBeatsAndReleaseChangeNothing() {
		register("a");
		HeldLeases.Hold old = firstBeat("a");
		HeldLeases.Hold current = firstBeat("a");
		this.clock.advance(INTERVAL);
		old.renew();
		join(old.release());
		assertThat(this.leases.size()).isOne();
		assertThat(this.leases.lastBeat(id("a"))).hasValue(this.clock.millis() - INTERVAL.toMillis());
		current.renew();
		this.clock.advance(TTL);
		assertThat(sweep()).isEmpty();
		this.clock.advance(SWEEP);
		assertThat(sweep()).extracting(InstanceRecord::instanceId).containsExactly(id("a"));
	}

	/** What a stream's first beat does: the record written, the lease held here. */
	private HeldLeases.Hold firstBeat(String name) {
		HeldLeases.Hold hold = this.leases.hold(id(name));
		join(this.store.heartbeat(this.group, id(name), "stream-" + name, InstanceStatus.UP, 0));
		hold.checkpointed();
		return hold;
	}

	private long writtenRenewal(String name) {
		return this.store.leaseRenewals(Set.of(id(name))).get(id(name));
	}

	private List<InstanceRecord> sweep() {
		return this.sweeper.sweep().stream().filter((record) -> record.group().equals(this.group)).toList();
	}

	private void register(String name) {
		this.store.register(InstanceRecord.of(RegisterRequest.newBuilder()
			.setGroup(this.group)
			.setInstanceId(id(name))
			.setHost("127.0.0.1")
			.setPort(7000)
			.addServices("test.v1.Service" + this.group)
			.build(), this.clock.millis()));
	}

	private String id(String name) {
		return this.group + "-" + name;
	}

}
