package dev.switchboard.auth.bootstrap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.auth.StartupException;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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

	private Bootstrap replica(Path credentials, GroupSecrets secrets) {
		return new Bootstrap(this.clients, new DatabaseLocks(this.database.jdbc()), this.database.transactions(),
				credentials, () -> secrets, null);
	}

	private static GroupSecrets allGroups() {
		Map<String, String> secrets = new LinkedHashMap<>();
		Bootstrap.GROUP_GRANTS.keySet().forEach((group) -> secrets.put(group, group + "-secret-of-the-launcher"));
		return GroupSecrets.of(secrets);
	}

	@Test
	void whenDatabaseIsEmptyThenAdminAndDemoAreCreatedWithTheirGrantsAndNoPlatformClient() {
		List<CreatedClient> created = replica(null).run();

		assertThat(created).extracting((c) -> c.client().clientId()).containsExactly("admin", "demo");
		assertThat(this.clients.find("admin").orElseThrow().grants()).containsExactly("admin", "discover");
		assertThat(this.clients.find("demo").orElseThrow().grants()).containsExactly("call:compute/*",
				"call:network/*", "call:volume/*", "discover");
		assertThat(this.clients.find("platform")).isEmpty();
	}

	@Test
	void whenGroupSecretsAreGivenThenEachGroupGetsItsClientWithExactlyItsGrantsAndNoWildcard() {
		replica(null, allGroups()).run();

		assertThat(this.clients.list()).extracting(ClientRecord::clientId)
			.containsExactlyInAnyOrder("admin", "demo", "router", "registry", "auth", "compute", "volume",
					"network", "dashboard");
		assertThat(grants("router")).containsExactlyInAnyOrder("register:router", "discover");
		assertThat(grants("registry")).containsExactlyInAnyOrder("register:registry");
		assertThat(grants("auth")).containsExactlyInAnyOrder("register:auth", "discover");
		assertThat(grants("compute")).containsExactlyInAnyOrder("register:compute", "discover",
				"call:network/switchboard.sample.network.v1.Network/CreatePort");
		assertThat(grants("volume")).containsExactlyInAnyOrder("register:volume", "discover", "call:compute/*");
		assertThat(grants("network")).containsExactlyInAnyOrder("register:network",
				"call:compute/switchboard.sample.compute.v1.Compute/GetServer");
		assertThat(grants("dashboard")).containsExactlyInAnyOrder("register:dashboard", "discover", "admin");
		assertThat(this.clients.list()).flatExtracting(ClientRecord::grants).doesNotContain("register:*");
		assertThat(ClientSecrets.matches("volume-secret-of-the-launcher",
				this.clients.find("volume").orElseThrow().secretHash())).isTrue();
	}

	@Test
	void whenOnlySomeGroupSecretsAreGivenThenOnlyThoseGroupsGetAClient() {
		replica(null, GroupSecrets.of(Map.of("router", "router-secret-of-the-launcher"))).run();

		assertThat(this.clients.list()).extracting(ClientRecord::clientId)
			.containsExactlyInAnyOrder("admin", "demo", "router");
	}

	@Test
	void whenGroupSecretsFileIsReadThenPlatformGroupsAreTakenAndOtherVariablesIgnored() throws Exception {
		Path file = this.folder.resolve("groups.env");
		Files.writeString(file, """
				# chosen by the launcher
				SWITCHBOARD_ROUTER_CLIENT_SECRET=router-secret-0123456789
				export SWITCHBOARD_COMPUTE_CLIENT_SECRET="compute-secret-0123456789"

				SWITCHBOARD_SOMETHING_ELSE=x
				""");

		GroupSecrets secrets = GroupSecrets.read(file);

		assertThat(secrets.secret("router")).contains("router-secret-0123456789");
		assertThat(secrets.secret("compute")).contains("compute-secret-0123456789");
		assertThat(secrets.secret("volume")).isEmpty();
		assertThat(secrets.toString()).doesNotContain("secret-0123456789");
	}

	@Test
	void whenSecretsComeFromTheFileAndTheEnvironmentThenTheEnvironmentsWinAndBothCount() throws Exception {
		Path file = this.folder.resolve("groups.env");
		Files.writeString(file, """
				SWITCHBOARD_ROUTER_CLIENT_SECRET=router-secret-from-file
				SWITCHBOARD_COMPUTE_CLIENT_SECRET=compute-secret-from-file
				""");

		GroupSecrets secrets = GroupSecrets.read(file)
			.with(GroupSecrets.of(java.util.Map.of("router", "router-secret-from-environment")));

		assertThat(secrets.secret("router")).contains("router-secret-from-environment");
		assertThat(secrets.secret("compute")).contains("compute-secret-from-file");
	}

	@Test
	void whenAGroupSecretIsShorterThan16CharactersThenStartupFailsNamingTheVariableNotTheSecret() throws Exception {
		Path file = this.folder.resolve("groups.env");
		Files.writeString(file, "SWITCHBOARD_AUTH_CLIENT_SECRET=short-secret\n");

		Bootstrap bootstrap = new Bootstrap(this.clients, new DatabaseLocks(this.database.jdbc()),
				this.database.transactions(), null, () -> GroupSecrets.read(file), null);

		assertThatExceptionOfType(StartupException.class).isThrownBy(bootstrap::run)
			.withMessageContaining("SWITCHBOARD_AUTH_CLIENT_SECRET")
			.withMessageContaining("at least 16")
			.withMessageNotContaining("short-secret");
		assertThat(this.clients.isEmpty()).isTrue();
	}

	@Test
	void whenAdminSecretIsChosenBeforehandThenAdminGetsIt() {
		String admin = "admin-secret-chosen-by-operator";
		new Bootstrap(this.clients, new DatabaseLocks(this.database.jdbc()), this.database.transactions(), null,
				GroupSecrets::none, admin)
			.run();

		assertThat(ClientSecrets.matches(admin, this.clients.find("admin").orElseThrow().secretHash())).isTrue();
		assertThat(ClientSecrets.matches(admin, this.clients.find("demo").orElseThrow().secretHash())).isFalse();
	}

	private List<String> grants(String clientId) {
		return this.clients.find(clientId).orElseThrow().grants();
	}

	@Test
	void whenCredentialsFileConfiguredThenItIsWrittenOnceOwnerOnlyAndNotAgainOnRestart() throws Exception {
		Path file = this.folder.resolve("nested/credentials.env");

		GroupSecrets secrets = GroupSecrets.of(Map.of("router", "router-secret-of-the-launcher", "compute",
				"compute-secret-of-the-launcher"));
		List<CreatedClient> created = replica(file, secrets).run();
		String written = Files.readString(file);
		List<CreatedClient> restarted = replica(file, secrets).run();

		assertThat(restarted).isEmpty();
		assertThat(Files.readString(file)).isEqualTo(written);
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(written.lines().map((line) -> line.substring(0, line.indexOf('=')))).containsExactly(
				"SWITCHBOARD_ADMIN_CLIENT_ID", "SWITCHBOARD_ADMIN_CLIENT_SECRET", "SWITCHBOARD_DEMO_CLIENT_ID",
				"SWITCHBOARD_DEMO_CLIENT_SECRET", "SWITCHBOARD_ROUTER_CLIENT_ID", "SWITCHBOARD_COMPUTE_CLIENT_ID");
		assertThat(written).contains("SWITCHBOARD_ROUTER_CLIENT_ID=router\n")
			.doesNotContain("router-secret-of-the-launcher")
			.doesNotContain("compute-secret-of-the-launcher");
		assertThat(created).extracting((c) -> c.client().clientId()).contains("router", "compute");
		for (CreatedClient client : created.subList(0, 2)) {
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
		assertThat(this.clients.list()).hasSize(2);
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
