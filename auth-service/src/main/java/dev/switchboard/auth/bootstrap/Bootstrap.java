package dev.switchboard.auth.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.client.CreatedClient;
import dev.switchboard.auth.database.DatabaseLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Creates the platform's first clients when the database has none:
 * <ul>
 * <li>{@value #ADMIN} — {@code admin}, {@code discover}: administers clients;</li>
 * <li>{@value #DEMO} — {@code call:compute/*}, {@code call:network/*}, {@code call:volume/*}, {@code discover}:
 * calls the sample components;</li>
 * <li>one client per platform group whose secret was chosen beforehand ({@link GroupSecrets}), its id the group
 * name, with exactly the grants of {@link #GROUP_GRANTS}: each may register (and get certificates for) its own group
 * only, never {@code register:*}.</li>
 * </ul>
 * It runs under the {@code bootstrap} lock row, so of several replicas starting on an empty database exactly one
 * creates them; the others find clients and do nothing, as does every later start. Client ids are logged, secrets
 * never: generated secrets go only to the credentials file, when one is configured, written before the transaction
 * commits so that a file that cannot be written leaves the database empty for the next attempt. The file lists the
 * group clients' ids but not their secrets, which their owner chose. Blocks on the database and file system.
 */
public final class Bootstrap {

	/** The bootstrap admin client's id. */
	public static final String ADMIN = "admin";

	/** The bootstrap demo client's id. */
	public static final String DEMO = "demo";

	/** The platform's groups, in creation order, with the exact grants of their bootstrap client. */
	public static final Map<String, List<String>> GROUP_GRANTS = groupGrants();

	private static final Logger logger = LoggerFactory.getLogger(Bootstrap.class);

	private final ClientStore clients;

	private final DatabaseLocks locks;

	private final TransactionTemplate transactions;

	private final Path credentialsFile;

	private final Supplier<GroupSecrets> groupSecrets;

	private final String adminClientSecret;

	/**
	 * Creates admin and demo only.
	 * @param credentialsFile where to write the new clients' credentials, or null
	 */
	public Bootstrap(ClientStore clients, DatabaseLocks locks, TransactionTemplate transactions,
			Path credentialsFile) {
		this(clients, locks, transactions, credentialsFile, GroupSecrets::none, null);
	}

	/**
	 * @param credentialsFile where to write the new clients' credentials, or null
	 * @param groupSecrets the secrets of the group clients to create, read only when the database is empty
	 * @param adminClientSecret the admin client's secret when chosen beforehand (by an operator who deploys a
	 * dashboard with it), or null to generate one
	 */
	public Bootstrap(ClientStore clients, DatabaseLocks locks, TransactionTemplate transactions,
			Path credentialsFile, Supplier<GroupSecrets> groupSecrets, String adminClientSecret) {
		this.clients = Objects.requireNonNull(clients, "clients");
		this.locks = Objects.requireNonNull(locks, "locks");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.groupSecrets = Objects.requireNonNull(groupSecrets, "groupSecrets");
		this.credentialsFile = credentialsFile;
		this.adminClientSecret = adminClientSecret;
	}

	private static Map<String, List<String>> groupGrants() {
		Map<String, List<String>> grants = new LinkedHashMap<>();
		grants.put("router", List.of("register:router", "discover"));
		grants.put("registry", List.of("register:registry"));
		grants.put("auth", List.of("register:auth", "discover"));
		// compute asks network for the ports of the servers it creates, through the router, and for nothing else
		grants.put("compute", List.of("register:compute", "discover",
				"call:network/switchboard.sample.network.v1.Network/CreatePort"));
		grants.put("volume", List.of("register:volume", "discover", "call:compute/*"));
		// the Python sample: it checks with compute, through the router, that a port's server exists (never creates
		// or deletes one); it watches nothing, so it has no discover
		grants.put("network", List.of("register:network",
				"call:compute/switchboard.sample.compute.v1.Compute/GetServer"));
		grants.put("dashboard", List.of("register:dashboard", "discover", "admin"));
		return Collections.unmodifiableMap(grants);
	}

	/**
	 * Creates the bootstrap clients if there is no client at all.
	 * @return the clients created, empty when there were clients already
	 * @throws dev.switchboard.auth.StartupException when the group secrets cannot be read or one is too short
	 */
	public List<CreatedClient> run() {
		List<CreatedClient> created = this.transactions.execute((status) -> {
			this.locks.lock(DatabaseLocks.BOOTSTRAP);
			if (!this.clients.isEmpty()) {
				return List.<CreatedClient>of();
			}
			GroupSecrets secrets = this.groupSecrets.get();
			List<CreatedClient> generated = new ArrayList<>();
			generated.add(this.clients.create(ADMIN, "bootstrap administrator", List.of("admin", "discover"),
					this.adminClientSecret));
			generated.add(this.clients.create(DEMO, "bootstrap demo caller of the sample components",
					List.of("call:compute/*", "call:network/*", "call:volume/*", "discover")));
			List<CreatedClient> groups = new ArrayList<>();
			GROUP_GRANTS.forEach((group, grants) -> {
				Optional<String> secret = secrets.secret(group);
				if (secret.isPresent()) {
					groups.add(this.clients.create(group, "bootstrap identity of the platform's " + group + " group",
							grants, secret.get()));
				}
			});
			if (this.credentialsFile != null) {
				try {
					CredentialsFile.write(this.credentialsFile, generated,
							groups.stream().map((c) -> c.client().clientId()).toList());
				}
				catch (IOException ex) {
					throw new UncheckedIOException("cannot write bootstrap credentials to " + this.credentialsFile, ex);
				}
			}
			List<CreatedClient> made = new ArrayList<>(generated);
			made.addAll(groups);
			return made;
		});
		List<String> ids = created.stream().map((c) -> c.client().clientId()).toList();
		if (created.isEmpty()) {
			logger.debug("Clients exist; no bootstrap");
		}
		else if (this.credentialsFile != null) {
			logger.info("Bootstrapped clients {}; credentials written to {}", ids, this.credentialsFile);
		}
		else {
			logger.warn("Bootstrapped clients {} without keeping the generated secrets (no "
					+ "switchboard.auth.bootstrap.credentials-file): nobody can administer clients", ids);
		}
		return created;
	}

}
