package dev.switchboard.auth.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.client.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Lockouts with growing back-off, on every test database, with a clock moved by hand. */
@DatabaseTest
class LockoutsTests {

	private static final String KEY = "client:router@10.0.0.66";

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:15Z"));

	private Lockouts lockouts;

	LockoutsTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		this.lockouts = new Lockouts(this.database.jdbc(), this.clock, Duration.ofMinutes(1), Duration.ofMinutes(5),
				Duration.ofHours(24));
	}

	/** Locks the key out, checks the lockout's length, and moves the clock to its end. */
	private void lockOutFor(Duration expected, int strike) {
		Instant now = this.clock.instant();
		Lockouts.Lockout lockout = this.lockouts.lockOut(KEY);
		assertThat(lockout.startedNow()).isTrue();
		assertThat(lockout.strikes()).isEqualTo(strike);
		assertThat(lockout.until()).isEqualTo(now.plus(expected));
		assertThat(this.lockouts.remaining(KEY, null)).containsExactly(Map.entry(KEY, expected));
		this.clock.advance(expected);
		assertThat(this.lockouts.remaining(KEY, null)).isEmpty();
	}

	@Test
	void whenAKeyIsLockedOutAgainAndAgainThenEachLockoutDoublesUpToTheMaximum() {
		lockOutFor(Duration.ofMinutes(1), 1);
		lockOutFor(Duration.ofMinutes(2), 2);
		lockOutFor(Duration.ofMinutes(4), 3);
		lockOutFor(Duration.ofMinutes(5), 4);
		lockOutFor(Duration.ofMinutes(5), 5);
	}

	@Test
	void whenAKeyIsLockedOutAlreadyThenLockingItAgainKeepsTheLockoutInForce() {
		Lockouts.Lockout first = this.lockouts.lockOut(KEY);
		this.clock.advance(Duration.ofSeconds(20));

		Lockouts.Lockout again = this.lockouts.lockOut(KEY);

		assertThat(again.startedNow()).isFalse();
		assertThat(again.strikes()).isEqualTo(1);
		assertThat(again.until()).isEqualTo(first.until());
		assertThat(this.lockouts.remaining(KEY, "address:10.0.0.66")).containsOnlyKeys(KEY)
			.containsEntry(KEY, Duration.ofSeconds(40));
	}

	@Test
	void whenAKeyStayedOutOfTroubleForTheForgivenessPeriodThenItStartsAgainFromAFirstLockout() {
		lockOutFor(Duration.ofMinutes(1), 1);
		lockOutFor(Duration.ofMinutes(2), 2);
		this.clock.advance(Duration.ofHours(24).minusSeconds(1));
		lockOutFor(Duration.ofMinutes(4), 3);

		this.clock.advance(Duration.ofHours(24));

		lockOutFor(Duration.ofMinutes(1), 1);
	}

	@Test
	void whenLockoutsAreForgivenThenHousekeepingDeletesThemAndNoOthers() {
		this.lockouts.lockOut(KEY);
		this.clock.advance(Duration.ofHours(1));
		this.lockouts.lockOut("address:10.0.0.9");
		this.clock.advance(Duration.ofHours(23).plusMinutes(1));

		assertThat(this.lockouts.deleteForgotten()).isEqualTo(1);
		assertThat(this.database.jdbc().queryForList("SELECT lockout_key FROM token_lockouts", String.class))
			.containsExactly("address:10.0.0.9");
	}

	@Test
	void whenKeysDifferThenTheirLockoutsAreIndependent() {
		this.lockouts.lockOut(KEY);
		this.lockouts.lockOut(KEY.replace("10.0.0.66", "10.0.0.5"));
		this.clock.advance(Duration.ofMinutes(1));

		assertThat(this.lockouts.lockOut(KEY).strikes()).isEqualTo(2);
		assertThat(this.lockouts.remaining("client:router@10.0.0.5", "address:10.0.0.66")).isEmpty();
	}

}
