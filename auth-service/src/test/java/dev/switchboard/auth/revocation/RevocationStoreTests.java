package dev.switchboard.auth.revocation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.SqlTime;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The revocations and revocation_events tables and the poller that reads them, on every test database. */
@DatabaseTest
class RevocationStoreTests {

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));

	private RevocationStore store;

	RevocationStoreTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		this.store = new RevocationStore(this.database.jdbc(), this.database.transactions(), this.clock);
	}

	@Test
	void whenTokenRevokedThenItIsRevokedOnceWithOneEvent() {
		Instant expiry = this.clock.instant().plus(Duration.ofMinutes(15));

		assertThat(this.store.revokeToken("jti-1", expiry)).isTrue();
		assertThat(this.store.revokeToken("jti-1", expiry)).isFalse();

		assertThat(this.store.isRevoked("jti-1")).isTrue();
		assertThat(this.store.isRevoked("jti-2")).isFalse();
		assertThat(this.store.eventsAfter(0, 10)).singleElement().satisfies((event) -> {
			assertThat(event.sequence()).isEqualTo(1);
			assertThat(event.tokenId()).isEqualTo("jti-1");
			assertThat(event.clientId()).isNull();
			assertThat(event.revokedAt()).isEqualTo(this.clock.instant());
		});
	}

	@Test
	void whenReplicasAppendConcurrentlyThenSequencesAreGapFreeAndEveryCommitIsSeenInOrder() throws Exception {
		int writers = 4;
		int perWriter = 15;
		List<Long> seen = new CopyOnWriteArrayList<>();
		RevocationPoller poller = new RevocationPoller(this.store, 0, List.of((event) -> seen.add(event.sequence())),
				this.clock);
		ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
		try {
			List<Callable<Void>> work = new ArrayList<>();
			for (int w = 0; w < writers; w++) {
				int writer = w;
				work.add(() -> {
					for (int i = 0; i < perWriter; i++) {
						this.store.revokeToken("w" + writer + "-" + i, this.clock.instant().plusSeconds(60));
						poller.poll();
					}
					return null;
				});
			}
			for (Future<Void> done : pool.invokeAll(work)) {
				done.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
		poller.poll();

		int total = writers * perWriter;
		assertThat(this.store.maxSequence()).isEqualTo(total);
		assertThat(seen).hasSize(total);
		for (int i = 0; i < total; i++) {
			assertThat(seen.get(i)).isEqualTo(i + 1);
		}
	}

	@Test
	void whenEventInsertedByAnotherReplicaThenCatchUpDeliversIt() {
		List<RevocationEvent> seen = new ArrayList<>();
		RevocationPoller poller = new RevocationPoller(this.store, this.store.maxSequence(), List.of(seen::add),
				this.clock);

		this.database.jdbc()
			.update("INSERT INTO revocation_events (sequence, token_id, client_id, revoked_at) VALUES (?, ?, ?, ?)", 1,
					null, "elsewhere", SqlTime.of(this.clock.instant()));
		poller.catchUp();

		assertThat(seen).extracting(RevocationEvent::clientId).containsExactly("elsewhere");
		assertThat(poller.processed()).isEqualTo(1);
	}

	@Test
	void whenEventsWereDeletedBeforeBeingReadThenListenersAreToldToDropEverything() {
		this.store.revokeToken("old-1", this.clock.instant().plusSeconds(60));
		List<RevocationEvent> seen = new ArrayList<>();
		RevocationPoller poller = new RevocationPoller(this.store, 1, List.of(seen::add), this.clock);
		this.store.revokeToken("old-2", this.clock.instant().plusSeconds(60));
		this.store.revokeToken("new-3", this.clock.instant().plusSeconds(60));
		this.database.jdbc().update("DELETE FROM revocation_events WHERE sequence = 2");

		poller.poll();

		assertThat(seen).hasSize(2);
		assertThat(seen.get(0).isEverything()).isTrue();
		assertThat(seen.get(0).sequence()).isEqualTo(2);
		assertThat(seen.get(1).tokenId()).isEqualTo("new-3");
	}

	@Test
	void whenExpiredThenRevocationsAndOldEventsAreDeletedButTheNewestEventIsKept() {
		this.store.revokeToken("short", this.clock.instant().plusSeconds(10));
		this.store.revokeToken("long", this.clock.instant().plusSeconds(1000));
		this.clock.advance(Duration.ofMinutes(2));

		this.store.deleteExpired(this.clock.instant());

		assertThat(this.store.isRevoked("short")).isFalse();
		assertThat(this.store.isRevoked("long")).isTrue();
		assertThat(this.store.eventsAfter(0, 10)).extracting(RevocationEvent::tokenId).containsExactly("long");
		assertThat(this.store.maxSequence()).isEqualTo(2);
	}

}
