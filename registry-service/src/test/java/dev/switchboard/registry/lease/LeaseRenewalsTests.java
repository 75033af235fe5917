package dev.switchboard.registry.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.client.testing.MutableClock;
import dev.switchboard.registry.TestHazelcast;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.RegisterRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Coalesced lease renewals: what reaches the store, and when a silent instance goes. */
class LeaseRenewalsTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	/** How often the registry flushes renewals and sweeps: a quarter of the interval. */
	private static final Duration SWEEP = INTERVAL.dividedBy(4);

	private static HazelcastInstance hazelcast;

	private MutableClock clock;

	private InstanceStore store;

	private LeaseRenewals renewals;

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
		this.renewals = new LeaseRenewals(this.store::renewLeases, this.clock);
		this.group = "g" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void whenAnInstanceRenewsSeveralTimesBetweenFlushesThenOneWriteCarriesTheLatest() {
		register("a");
		register("b");
		List<Map<String, Long>> writes = new ArrayList<>();
		LeaseRenewals counted = new LeaseRenewals((batch) -> {
			writes.add(Map.copyOf(batch));
			this.store.renewLeases(batch);
		}, this.clock);
		for (int i = 0; i < 3; i++) {
			this.clock.advance(Duration.ofMillis(50));
			counted.renew(id("a"));
		}
		counted.renew(id("b"));
		assertThat(counted.pending()).isEqualTo(2);
		assertThat(counted.flush()).isEqualTo(2);
		assertThat(writes).containsExactly(Map.of(id("a"), this.clock.millis(), id("b"), this.clock.millis()));
		assertThat(this.store.leaseRenewals(Set.of(id("a"), id("b")))).containsEntry(id("a"), this.clock.millis())
			.containsEntry(id("b"), this.clock.millis());
		assertThat(counted.flush()).isZero();
		assertThat(writes).hasSize(1);
	}

	@Test
	void whenRenewalsAreCoalescedThenASilentInstanceGoesAfterTtlAndWithinTtlPlusOneInterval() {
		register("a");
		LeaseSweeper sweeper = new LeaseSweeper(this.store, TTL, new SimpleMeterRegistry());
		long lastRenewal = 0;
		// heartbeats every interval for ten intervals, flush and sweep every quarter interval, as the registry runs
		for (long at = 0; at <= 10 * INTERVAL.toMillis(); at += SWEEP.toMillis()) {
			if (at % INTERVAL.toMillis() == 0) {
				this.renewals.renew(id("a"));
				lastRenewal = this.clock.millis();
			}
			this.renewals.flush();
			assertThat(sweep(sweeper)).isEmpty();
			this.clock.advance(SWEEP);
		}
		// then silence
		long evictedAt = -1;
		while (evictedAt < 0 && this.clock.millis() - lastRenewal <= TTL.plus(INTERVAL).toMillis() * 2) {
			this.renewals.flush();
			if (!sweep(sweeper).isEmpty()) {
				evictedAt = this.clock.millis();
			}
			this.clock.advance(SWEEP);
		}
		assertThat(evictedAt - lastRenewal).isGreaterThan(TTL.toMillis())
			.isLessThanOrEqualTo(TTL.plus(INTERVAL).toMillis());
		assertThat(this.store.find(id("a"))).isEmpty();
	}

	@Test
	void whenARenewalArrivesDuringAFlushThenItIsWrittenByTheNext() {
		register("a");
		LeaseRenewals[] renewing = new LeaseRenewals[1];
		boolean[] first = { true };
		renewing[0] = new LeaseRenewals((batch) -> {
			if (first[0]) {
				first[0] = false;
				// a heartbeat handled on another thread while this batch is written
				this.clock.advance(Duration.ofMillis(200));
				renewing[0].renew(id("a"));
			}
			this.store.renewLeases(batch);
		}, this.clock);
		renewing[0].renew(id("a"));
		long firstRenewal = this.clock.millis();
		renewing[0].flush();
		assertThat(this.store.leaseRenewals(Set.of(id("a")))).containsEntry(id("a"), firstRenewal);
		assertThat(renewing[0].pending()).isEqualTo(1);
		renewing[0].flush();
		assertThat(this.store.leaseRenewals(Set.of(id("a")))).containsEntry(id("a"), firstRenewal + 200);
	}

	@Test
	void whenAWriteFailsThenItsRenewalsWaitForTheNextFlush() {
		register("a");
		Map<String, Long> written = new HashMap<>();
		boolean[] failing = { true };
		LeaseRenewals flaky = new LeaseRenewals((batch) -> {
			if (failing[0]) {
				throw new IllegalStateException("cluster unreachable");
			}
			written.putAll(batch);
		}, this.clock);
		flaky.renew(id("a"));
		assertThatIllegalStateException().isThrownBy(flaky::flush);
		assertThat(flaky.pending()).isEqualTo(1);
		failing[0] = false;
		assertThat(flaky.flush()).isEqualTo(1);
		assertThat(written).containsExactly(Map.entry(id("a"), this.clock.millis()));
	}

	private List<InstanceRecord> sweep(LeaseSweeper sweeper) {
		return sweeper.sweep().stream().filter((record) -> record.group().equals(this.group)).toList();
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
