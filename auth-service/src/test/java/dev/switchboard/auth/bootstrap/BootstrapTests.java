package dev.switchboard.auth.bootstrap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.auth.client.ClientRecord;
import dev.switchboard.auth.client.ClientSecrets;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.client.CreatedClient;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.DatabaseTest;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.auth.revocation.RevocationStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The first clients of an empty database, on every test database. */
@DatabaseTest
class BootstrapTests {

	private final TestDatabase database;

	@TempDir
	Path folder;

	private ClientStore clients;

	BootstrapTests(TestDatabase database) {
		this.database = database;
	}

	@BeforeEach
	void prepare() {
		this.database.prepare();
		RevocationStore revocations = new RevocationStore(this.database.jdbc(), this.database.transactions(),
				Clock.systemUTC());
		this.clients = new ClientStore(this.database.jdbc(), this.database.transactions(), revocations,
				Clock.systemUTC());
	}

	private Bootstrap replica(Path credentials) {
		return new Bootstrap(this.clients, new DatabaseLocks(this.database.jdbc()), this.database.transactions(),
				credentials);
	}

	@Test
	void whenDatabaseIsEmptyThenAdminDemoAndPlatformAreCreatedWithTheirGrants() {
		List<CreatedClient> created = replica(null).run();

		assertThat(created).extracting((c) -> c.client().clientId()).containsExactly("admin", "demo", "platform");
		assertThat(this.clients.find("admin").orElseThrow().grants()).containsExactly("admin", "discover");
		assertThat(this.clients.find("demo").orElseThrow().grants()).containsExactly("call:compute/*",
				"call:volume/*", "discover");
		assertThat(this.clients.find("platform").orElseThrow().grants()).containsExactly("call:compute/*",
				"discover", "register:*");
	}

	@Test
	void whenSecretsAreChosenBeforehandThenAdminAndPlatformGetThem() {
		String admin = "admin-secret-chosen-by-operator";
		String platform = "platform-secret-chosen-by-launcher";
		new Bootstrap(this.clients, new DatabaseLocks(this.database.jdbc()), this.database.transactions(), null,
				"platform", platform, admin)
			.run();

		assertThat(ClientSecrets.matches(admin, this.clients.find("admin").orElseThrow().secretHash())).isTrue();
		assertThat(ClientSecrets.matches(platform, this.clients.find("platform").orElseThrow().secretHash())).isTrue();
		assertThat(ClientSecrets.matches(admin, this.clients.find("demo").orElseThrow().secretHash())).isFalse();
	}

	@Test
	void whenCredentialsFileConfiguredThenItIsWrittenOnceOwnerOnlyAndNotAgainOnRestart() throws Exception {
		Path file = this.folder.resolve("nested/credentials.env");

		List<CreatedClient> created = replica(file).run();
		String written = Files.readString(file);
		List<CreatedClient> restarted = replica(file).run();

		assertThat(restarted).isEmpty();
		assertThat(Files.readString(file)).isEqualTo(written);
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(written.lines().map((line) -> line.substring(0, line.indexOf('=')))).containsExactly(
				"SWITCHBOARD_ADMIN_CLIENT_ID", "SWITCHBOARD_ADMIN_CLIENT_SECRET", "SWITCHBOARD_DEMO_CLIENT_ID",
				"SWITCHBOARD_DEMO_CLIENT_SECRET", "SWITCHBOARD_PLATFORM_CLIENT_ID",
				"SWITCHBOARD_PLATFORM_CLIENT_SECRET");
		for (CreatedClient client : created) {
			String id = client.client().clientId();
			String prefix = "SWITCHBOARD_" + id.toUpperCase();
			assertThat(written).contains(prefix + "_CLIENT_ID=" + id + "\n");
			String secret = written.lines()
				.filter((line) -> line.startsWith(prefix + "_CLIENT_SECRET="))
				.findFirst()
				.orElseThrow()
				.substring((prefix + "_CLIENT_SECRET=").length());
			ClientRecord stored = this.clients.find(id).orElseThrow();
			assertThat(ClientSecrets.matches(secret, stored.secretHash())).isTrue();
		}
		try (var leftovers = Files.list(file.getParent())) {
			assertThat(leftovers).containsExactly(file);
		}
	}

	@Test
	void whenReplicasStartTogetherOnAnEmptyDatabaseThenExactlyOneBootstraps() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(3);
		try {
			List<Callable<List<CreatedClient>>> starts = List.of(replica(this.folder.resolve("a.env"))::run,
					replica(this.folder.resolve("b.env"))::run, replica(this.folder.resolve("c.env"))::run);
			int bootstrapped = 0;
			for (Future<List<CreatedClient>> start : pool.invokeAll(starts)) {
				bootstrapped += start.get().isEmpty() ? 0 : 1;
			}
			assertThat(bootstrapped).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.clients.list()).hasSize(3);
		try (var files = Files.list(this.folder)) {
			assertThat(files).hasSize(1);
		}
	}

	@Test
	void whenClientsExistThenNothingIsCreated() {
		this.clients.create("someone", "", List.of("discover"));

		assertThat(replica(this.folder.resolve("never.env")).run()).isEmpty();

		assertThat(this.clients.list()).extracting(ClientRecord::clientId).containsExactly("someone");
		assertThat(this.folder.resolve("never.env")).doesNotExist();
	}

}
