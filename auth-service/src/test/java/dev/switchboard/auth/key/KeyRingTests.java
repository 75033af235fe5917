package dev.switchboard.auth.key;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing keys: storage, rotation and publication, on every test database. */
@DatabaseTest
class KeyRingTests {

	private static final Duration ROTATION = Duration.ofHours(24);

	private static final Duration RETENTION = Duration.ofMinutes(16);

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));

	KeyRingTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
	}

	private KeyRing replica() {
		return new KeyRing(new SigningKeyStore(this.database.jdbc()), new DatabaseLocks(this.database.jdbc()),
				this.database.transactions(), this.clock, ROTATION, RETENTION);
	}

	@Test
	void whenNoKeyThenTheFirstCheckMakesOneAndTheNextDoesNot() {
		KeyRing ring = replica();

		assertThat(ring.rotateIfDue()).isTrue();
		assertThat(ring.rotateIfDue()).isFalse();

		assertThat(ring.published()).singleElement().satisfies((key) -> {
			assertThat(key.active()).isTrue();
			assertThat(ring.active()).isEqualTo(key);
		});
	}

	@Test
	void whenStoredThenTheKeyReadsBackIdentical() {
		KeyRing ring = replica();
		ring.rotateIfDue();
		SigningKey made = ring.active();

		KeyRing other = replica();
		other.refresh();

		SigningKey read = other.active();
		assertThat(read.kid()).isEqualTo(made.kid());
		assertThat(read.publicKey()).isEqualTo(made.publicKey());
		assertThat(read.privateKey().getEncoded()).isEqualTo(made.privateKey().getEncoded());
	}

	@Test
	void whenRotationIsDueThenANewKeySignsAndTheOldStaysPublishedUntilItsTokensExpired() {
		KeyRing ring = replica();
		ring.rotateIfDue();
		String first = ring.active().kid();

		this.clock.advance(ROTATION);
		assertThat(ring.rotateIfDue()).isTrue();

		String second = ring.active().kid();
		assertThat(second).isNotEqualTo(first);
		assertThat(ring.published()).extracting(SigningKey::kid).containsExactly(second, first);
		assertThat(ring.find(first)).get().satisfies((key) -> assertThat(key.active()).isFalse());

		this.clock.advance(RETENTION.minusSeconds(1));
		assertThat(ring.find(first)).isPresent();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(ring.find(first)).isEmpty();
		assertThat(ring.deleteExpired()).isEqualTo(1);
		ring.refresh();
		assertThat(ring.published()).extracting(SigningKey::kid).containsExactly(second);
	}

	@Test
	void whenRotatedOnDemandThenEveryOtherKeyIsRetired() {
		KeyRing ring = replica();
		ring.rotateIfDue();

		SigningKey rotated = ring.rotate();
		ring.rotate();

		assertThat(ring.published()).hasSize(3);
		assertThat(ring.published()).filteredOn(SigningKey::active).singleElement()
			.satisfies((key) -> assertThat(key.kid()).isNotEqualTo(rotated.kid()));
	}

	@Test
	void whenAnotherReplicaRotatedThenAnUnknownKeyIdIsLookedUpInTheDatabase() {
		KeyRing mine = replica();
		mine.rotateIfDue();
		KeyRing theirs = replica();
		theirs.refresh();

		SigningKey made = mine.rotate();

		assertThat(theirs.find(made.kid())).isPresent();
		assertThat(theirs.find("no-such-kid")).isEmpty();
	}

	@Test
	void whenReplicasStartTogetherOnAnEmptyDatabaseThenExactlyOneKeyIsMade() throws Exception {
		List<KeyRing> replicas = List.of(replica(), replica(), replica());
		ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
		try {
			List<Callable<Boolean>> starts = replicas.stream()
				.map((ring) -> (Callable<Boolean>) ring::rotateIfDue)
				.toList();
			List<Future<Boolean>> made = pool.invokeAll(starts);
			long rotations = 0;
			for (Future<Boolean> result : made) {
				rotations += result.get() ? 1 : 0;
			}
			assertThat(rotations).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
		Integer keys = this.database.jdbc().queryForObject("SELECT COUNT(*) FROM signing_keys", Integer.class);
		assertThat(keys).isEqualTo(1);
		replicas.forEach(KeyRing::refresh);
		assertThat(replicas).extracting((ring) -> ring.active().kid()).containsOnly(replicas.get(0).active().kid());
	}

}
