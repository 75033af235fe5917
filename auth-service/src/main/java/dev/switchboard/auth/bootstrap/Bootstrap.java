package dev.switchboard.auth.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * <li>{@value #DEMO} — {@code call:compute/*}, {@code call:volume/*}, {@code discover}: calls the sample
 * components;</li>
 * <li>{@value #PLATFORM} — {@code register:*}, {@code discover}, {@code call:compute/*}: the local platform's own
 * processes, which register themselves and may call each other.</li>
 * </ul>
 * It runs under the {@code bootstrap} lock row, so of several replicas starting on an empty database exactly one
 * creates them; the others find clients and do nothing, as does every later start. Client ids are logged, secrets
 * never: they go only to the credentials file, when one is configured, written before the transaction commits so that
 * a file that cannot be written leaves the database empty for the next attempt. Blocks on the database and file
 * system.
 */
public final class Bootstrap {

	/** The bootstrap admin client's id. */
	public static final String ADMIN = "admin";

	/** The bootstrap demo client's id. */
	public static final String DEMO = "demo";

	/** The bootstrap platform client's id. */
	public static final String PLATFORM = "platform";

	private static final Logger logger = LoggerFactory.getLogger(Bootstrap.class);

	private final ClientStore clients;

	private final DatabaseLocks locks;

	private final TransactionTemplate transactions;

	private final Path credentialsFile;

	private final String platformClientId;

	private final String platformClientSecret;

	private final String adminClientSecret;

	/**
	 * @param credentialsFile where to write the new clients' credentials, or null
	 */
	public Bootstrap(ClientStore clients, DatabaseLocks locks, TransactionTemplate transactions,
			Path credentialsFile) {
		this(clients, locks, transactions, credentialsFile, PLATFORM, null, null);
	}

	/**
	 * @param credentialsFile where to write the new clients' credentials, or null
	 * @param platformClientId the id of the platform's client
	 * @param platformClientSecret its secret when chosen beforehand, or null to generate one
	 * @param adminClientSecret the admin client's secret when chosen beforehand (by an operator who deploys a
	 * dashboard with it), or null to generate one
	 */
	public Bootstrap(ClientStore clients, DatabaseLocks locks, TransactionTemplate transactions,
			Path credentialsFile, String platformClientId, String platformClientSecret, String adminClientSecret) {
		this.platformClientId = Objects.requireNonNull(platformClientId, "platformClientId");
		this.platformClientSecret = platformClientSecret;
		this.adminClientSecret = adminClientSecret;
		this.clients = Objects.requireNonNull(clients, "clients");
		this.locks = Objects.requireNonNull(locks, "locks");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.credentialsFile = credentialsFile;
	}

	/**
	 * Creates the bootstrap clients if there is no client at all.
	 * @return the clients created, empty when there were clients already
	 */
	public List<CreatedClient> run() {
		List<CreatedClient> created = this.transactions.execute((status) -> {
			this.locks.lock(DatabaseLocks.BOOTSTRAP);
			if (!this.clients.isEmpty()) {
				return List.<CreatedClient>of();
			}
			List<CreatedClient> made = new ArrayList<>();
			made.add(this.clients.create(ADMIN, "bootstrap administrator", List.of("admin", "discover"),
					this.adminClientSecret));
			made.add(this.clients.create(DEMO, "bootstrap demo caller of the sample components",
					List.of("call:compute/*", "call:volume/*", "discover")));
			made.add(this.clients.create(this.platformClientId, "bootstrap identity of the local platform's processes",
					List.of("register:*", "discover", "call:compute/*"), this.platformClientSecret));
			if (this.credentialsFile != null) {
				try {
					CredentialsFile.write(this.credentialsFile, made);
				}
				catch (IOException ex) {
					throw new UncheckedIOException("cannot write bootstrap credentials to " + this.credentialsFile, ex);
				}
			}
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
			logger.warn("Bootstrapped clients {} without keeping their secrets (no "
					+ "switchboard.auth.bootstrap.credentials-file): nobody can administer clients", ids);
		}
		return created;
	}

}
