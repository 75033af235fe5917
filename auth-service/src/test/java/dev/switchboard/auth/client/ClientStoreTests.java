package dev.switchboard.auth.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.auth.revocation.RevocationEvent;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.testing.MutableClock;
import io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The clients and client_grants tables, on every test database. */
@DatabaseTest
class ClientStoreTests {

	private final TestDatabase database;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00.250Z"));

	private RevocationStore revocations;

	private ClientStore clients;

	ClientStoreTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		this.revocations = new RevocationStore(this.database.jdbc(), this.database.transactions(), this.clock);
		this.clients = new ClientStore(this.database.jdbc(), this.database.transactions(), this.revocations,
				this.clock);
	}

	@Test
	void whenClientCreatedThenItIsFoundEnabledWithSortedGrantsAndNoEvent() {
		CreatedClient created = this.clients.create("svc-a", "a service", List.of("discover", "call:compute/*"));

		ClientRecord found = this.clients.find("svc-a").orElseThrow();
		assertThat(found.enabled()).isTrue();
		assertThat(found.description()).isEqualTo("a service");
		assertThat(found.grants()).containsExactly("call:compute/*", "discover");
		assertThat(found.createdAt()).isEqualTo(this.clock.instant());
		assertThat(created.client()).isEqualTo(found);
		assertThat(this.revocations.maxSequence()).isZero();
	}

	@Test
	void whenClientIdIsEmptyThenOneIsGenerated() {
		CreatedClient created = this.clients.create("", "", List.of());

		assertThat(created.client().clientId()).matches("client-[0-9a-f]{16}");
		assertThat(this.clients.find(created.client().clientId())).isPresent();
	}

	@Test
	void whenSecretStoredThenOnlyItsHashIsInTheDatabase() {
		CreatedClient created = this.clients.create("svc-hash", "", List.of("discover"));
		String rotated = this.clients.rotateSecret("svc-hash");

		List<Map<String, Object>> rows = this.database.jdbc().queryForList("SELECT * FROM clients");
		assertThat(rows).hasSize(1);
		for (Object value : rows.get(0).values()) {
			assertThat(String.valueOf(value)).doesNotContain(created.secret()).doesNotContain(rotated);
		}
		String hash = this.clients.find("svc-hash").orElseThrow().secretHash();
		assertThat(hash).startsWith("{bcrypt}");
		assertThat(ClientSecrets.matches(rotated, hash)).isTrue();
		assertThat(ClientSecrets.matches(created.secret(), hash)).isFalse();
		assertThat(created.toString()).doesNotContain(created.secret());
	}

	@Test
	void whenClientIdIsTakenThenAlreadyExists() {
		this.clients.create("svc-dup", "", List.of());

		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.clients.create("svc-dup", "", List.of()))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.ALREADY_EXISTS))
			.withMessage("client 'svc-dup' already exists");
	}

	@Test
	void whenClientIdOrGrantIsMalformedThenInvalidArgumentAndNothingStored() {
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.clients.create("bad id!", "", List.of()))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.clients.create("x".repeat(65), "", List.of()))
			.withMessage("client id is longer than 64 characters");
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.clients.create("svc-ok", "", List.of("call:compute")))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
		assertThat(this.clients.isEmpty()).isTrue();
	}

	@Test
	void whenClientDisabledThenTokensBeforeTheNextSecondAreCutOffAndAnEventIsLogged() {
		this.clients.create("svc-off", "", List.of("discover"));
		this.clock.advance(Duration.ofSeconds(10));

		ClientRecord disabled = this.clients.setEnabled("svc-off", false);

		assertThat(disabled.enabled()).isFalse();
		assertThat(disabled.tokensNotBefore()).isEqualTo(Instant.parse("2026-01-01T10:00:11Z"));
		assertThat(this.revocations.eventsAfter(0, 10)).singleElement()
			.satisfies((event) -> assertThat(event.clientId()).isEqualTo("svc-off"));
	}

	@Test
	void whenRevokedTwiceWithinOneSecondThenTheCutoffMovesPastTheFirstOne() {
		this.clients.create("svc-twice", "", List.of("discover"));

		this.clients.rotateSecret("svc-twice");
		Instant first = this.clients.find("svc-twice").orElseThrow().tokensNotBefore();
		this.clients.rotateSecret("svc-twice");
		Instant second = this.clients.find("svc-twice").orElseThrow().tokensNotBefore();

		assertThat(first).isEqualTo(Instant.parse("2026-01-01T10:00:01Z"));
		assertThat(second).isEqualTo(Instant.parse("2026-01-01T10:00:02Z"));
	}

	@Test
	void whenEnabledStateUnchangedThenNoEvent() {
		this.clients.create("svc-same", "", List.of());

		this.clients.setEnabled("svc-same", true);

		assertThat(this.revocations.maxSequence()).isZero();
	}

	@Test
	void whenGrantAddedThenEventButTokensStayValid() {
		ClientRecord created = this.clients.create("svc-grow", "", List.of()).client();

		ClientRecord grown = this.clients.addGrant("svc-grow", "register:compute");
		ClientRecord again = this.clients.addGrant("svc-grow", "register:compute");

		assertThat(grown.grants()).containsExactly("register:compute");
		assertThat(again).isEqualTo(grown);
		assertThat(grown.tokensNotBefore()).isEqualTo(created.tokensNotBefore());
		assertThat(this.revocations.maxSequence()).isEqualTo(1);
	}

	@Test
	void whenGrantRemovedThenTokensAreCutOffAndAnEventIsLogged() {
		this.clients.create("svc-shrink", "", List.of("discover", "admin"));
		this.clock.advance(Duration.ofMinutes(1));

		ClientRecord shrunk = this.clients.removeGrant("svc-shrink", "admin");

		assertThat(shrunk.grants()).containsExactly("discover");
		assertThat(shrunk.tokensNotBefore()).isAfter(this.clock.instant());
		List<RevocationEvent> events = this.revocations.eventsAfter(0, 10);
		assertThat(events).extracting(RevocationEvent::clientId).containsExactly("svc-shrink");
	}

	@Test
	void whenGrantOrClientUnknownThenNotFound() {
		this.clients.create("svc-known", "", List.of("discover"));

		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> this.clients.removeGrant("svc-known", "admin"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.NOT_FOUND))
			.withMessage("client 'svc-known' has no grant 'admin'");
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.clients.setEnabled("nobody", false))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.NOT_FOUND))
			.withMessage("client 'nobody' does not exist");
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.clients.rotateSecret("nobody"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.NOT_FOUND));
	}

	@Test
	void whenClientsListedThenSortedById() {
		this.clients.create("b", "", List.of());
		this.clients.create("a", "", List.of("discover"));
		this.clients.create("C", "", List.of());

		assertThat(this.clients.list()).extracting(ClientRecord::clientId).containsExactly("C", "a", "b");
	}

}
