package dev.switchboard.auth.client;

import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import dev.switchboard.auth.database.SqlTime;
import dev.switchboard.auth.grant.Grant;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.client.grpc.Printable;
import dev.switchboard.client.grpc.RefusalException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code clients} and {@code client_grants} tables.
 * <p>
 * Every change that can turn an allowed decision into a refused one (disable, secret rotation, grant removal) moves
 * the client's {@code tokens_not_before} past every token issued so far and appends a client event to the revocation
 * log in the same transaction; changes that only widen access (enable, grant added) append an event too, so that
 * every replica's cached view of the client is dropped at once. Each change locks the client's row first, so
 * concurrent changes of one client serialize across replicas. Thread-safe; every method blocks on the database, and
 * creating or rotating hashes a secret (tens of milliseconds).
 */
public final class ClientStore {

	/** The longest description accepted. */
	public static final int MAX_DESCRIPTION_LENGTH = 256;

	/** The most grants one client may hold. */
	public static final int MAX_GRANTS = 256;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final RevocationStore revocations;

	private final Clock clock;

	public ClientStore(JdbcTemplate jdbc, TransactionTemplate transactions, RevocationStore revocations, Clock clock) {
		this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.revocations = Objects.requireNonNull(revocations, "revocations");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/**
	 * Returns the earliest {@code iat} a token may carry after a client-wide revocation at {@code now}. JWT times have
	 * second precision, and the token endpoint lifts the {@code iat} of tokens issued within the revocation's second to
	 * the cutoff, so the cutoff is the next whole second and always moves past the previous cutoff: every token issued
	 * so far has an {@code iat} below it.
	 * @param previous the client's current {@code tokens_not_before}
	 */
	public static Instant revocationCutoff(Instant now, Instant previous) {
		Instant next = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
		Instant afterPrevious = previous.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
		return next.isAfter(afterPrevious) ? next : afterPrevious;
	}

	/**
	 * Creates a client with a new secret.
	 * @param clientId the id, or empty to generate one
	 * @throws RefusalException INVALID_ARGUMENT for a bad id, description or grant; ALREADY_EXISTS for a taken id
	 */
	public CreatedClient create(String clientId, String description, List<String> grants) {
		return create(clientId, description, grants, null);
	}

	/**
	 * Creates a client with a secret chosen by the caller (the local platform's launcher hands its processes their
	 * secret before the auth service starts), or a generated one when {@code secret} is {@code null}.
	 * @throws RefusalException INVALID_ARGUMENT for a chosen secret shorter than 16 characters
	 */
	public CreatedClient create(String clientId, String description, List<String> grants, String chosenSecret) {
		if (chosenSecret != null && chosenSecret.length() < 16) {
			throw RefusalException.invalidArgument("a chosen client secret must have at least 16 characters");
		}
		String id = (clientId == null || clientId.isEmpty()) ? ClientIds.generate() : ClientIds.validate(clientId);
		String text = (description != null) ? description : "";
		if (text.length() > MAX_DESCRIPTION_LENGTH) {
			throw RefusalException.invalidArgument(
					"description is longer than " + MAX_DESCRIPTION_LENGTH + " characters");
		}
		List<String> validGrants = validGrants(grants);
		String secret = (chosenSecret != null) ? chosenSecret : ClientSecrets.generate();
		String hash = ClientSecrets.hash(secret);
		Instant now = this.clock.instant();
		try {
			this.transactions.executeWithoutResult((status) -> {
				this.jdbc.update("INSERT INTO clients (client_id, secret_hash, description, enabled, created_at,"
						+ " tokens_not_before) VALUES (?, ?, ?, ?, ?, ?)", id, hash, text, true, SqlTime.of(now),
						SqlTime.of(now.truncatedTo(ChronoUnit.SECONDS)));
				for (String grant : validGrants) {
					this.jdbc.update("INSERT INTO client_grants (client_id, grant_value) VALUES (?, ?)", id, grant);
				}
			});
		}
		catch (DuplicateKeyException ex) {
			throw RefusalException.alreadyExists("client '" + id + "' already exists");
		}
		ClientRecord client = new ClientRecord(id, text, hash, true, now, now.truncatedTo(ChronoUnit.SECONDS),
				validGrants);
		return new CreatedClient(client, secret);
	}

	private static List<String> validGrants(List<String> grants) {
		if (grants.size() > MAX_GRANTS) {
			throw RefusalException.invalidArgument("a client may hold at most " + MAX_GRANTS + " grants");
		}
		TreeSet<String> valid = new TreeSet<>();
		for (String grant : grants) {
			valid.add(Grant.parse(grant).value());
		}
		return List.copyOf(valid);
	}

	/** Returns the client {@code clientId}, if it exists. Does not validate the id. */
	public Optional<ClientRecord> find(String clientId) {
		List<ClientRecord> found = query("WHERE c.client_id = ?", clientId);
		return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
	}

	/** Returns every client, by id. */
	public List<ClientRecord> list() {
		return query("");
	}

	/** Returns whether there is no client at all. */
	public boolean isEmpty() {
		ResultSetExtractor<Boolean> any = ResultSet::next;
		return !Boolean.TRUE.equals(this.jdbc.query("SELECT 1 FROM clients LIMIT 1", any));
	}

	/**
	 * Enables or disables a client. Disabling invalidates every token it holds; enabling does not bring them back.
	 * @throws RefusalException NOT_FOUND for an unknown client
	 */
	public ClientRecord setEnabled(String clientId, boolean enabled) {
		return change(clientId, (current, now) -> {
			if (current.enabled() == enabled) {
				return false;
			}
			if (enabled) {
				this.jdbc.update("UPDATE clients SET enabled = ? WHERE client_id = ?", true, clientId);
			}
			else {
				this.jdbc.update("UPDATE clients SET enabled = ?, tokens_not_before = ? WHERE client_id = ?", false,
						SqlTime.of(revocationCutoff(now, current.tokensNotBefore())), clientId);
			}
			return true;
		});
	}

	/**
	 * Adds a grant; adding one the client holds changes nothing.
	 * @throws RefusalException INVALID_ARGUMENT for a bad grant; NOT_FOUND for an unknown client
	 */
	public ClientRecord addGrant(String clientId, String grant) {
		String value = Grant.parse(grant).value();
		return change(clientId, (current, now) -> {
			if (current.grants().contains(value)) {
				return false;
			}
			if (current.grants().size() >= MAX_GRANTS) {
				throw RefusalException.invalidArgument("a client may hold at most " + MAX_GRANTS + " grants");
			}
			this.jdbc.update("INSERT INTO client_grants (client_id, grant_value) VALUES (?, ?)", clientId, value);
			return true;
		});
	}

	/**
	 * Removes a grant and invalidates every token the client holds.
	 * @throws RefusalException NOT_FOUND for an unknown client or a grant it does not hold
	 */
	public ClientRecord removeGrant(String clientId, String grant) {
		return change(clientId, (current, now) -> {
			if (!current.grants().contains(grant)) {
				throw RefusalException.notFound("client '" + clientId + "' has no grant '" + Printable.of(grant) + "'");
			}
			this.jdbc.update("DELETE FROM client_grants WHERE client_id = ? AND grant_value = ?", clientId, grant);
			this.jdbc.update("UPDATE clients SET tokens_not_before = ? WHERE client_id = ?",
					SqlTime.of(revocationCutoff(now, current.tokensNotBefore())), clientId);
			return true;
		});
	}

	/**
	 * Replaces the secret and invalidates every token the client holds.
	 * @return the new secret in plain, the only time it is known
	 * @throws RefusalException NOT_FOUND for an unknown client
	 */
	public String rotateSecret(String clientId) {
		String secret = ClientSecrets.generate();
		String hash = ClientSecrets.hash(secret);
		change(clientId, (current, now) -> {
			this.jdbc.update("UPDATE clients SET secret_hash = ?, tokens_not_before = ? WHERE client_id = ?", hash,
					SqlTime.of(revocationCutoff(now, current.tokensNotBefore())), clientId);
			return true;
		});
		return secret;
	}

	/**
	 * Stores a stronger hash of the same secret (Spring Authorization Server upgrades outdated encodings after a
	 * successful login). Tokens stay valid; no event.
	 */
	public void updateSecretHash(String clientId, String hash) {
		this.jdbc.update("UPDATE clients SET secret_hash = ? WHERE client_id = ?", hash, clientId);
	}

	/** Locks the client row, applies {@code change}, and appends a client event when it changed something. */
	private ClientRecord change(String clientId, Change change) {
		ClientIds.validate(clientId);
		return this.transactions.execute((status) -> {
			Instant now = this.clock.instant();
			Boolean enabled = this.jdbc.query("SELECT enabled FROM clients WHERE client_id = ? FOR UPDATE",
					(rows) -> rows.next() ? rows.getBoolean(1) : null, clientId);
			if (enabled == null) {
				throw RefusalException.notFound("client '" + clientId + "' does not exist");
			}
			ClientRecord current = find(clientId).orElseThrow();
			if (change.apply(current, now)) {
				this.revocations.append(null, clientId, now);
				return find(clientId).orElseThrow();
			}
			return current;
		});
	}

	private List<ClientRecord> query(String where, Object... arguments) {
		Map<String, ClientRecord> clients = new LinkedHashMap<>();
		Map<String, List<String>> grants = new LinkedHashMap<>();
		this.jdbc.query("SELECT c.client_id, c.secret_hash, c.description, c.enabled, c.created_at,"
				+ " c.tokens_not_before, g.grant_value FROM clients c"
				+ " LEFT JOIN client_grants g ON g.client_id = c.client_id " + where, (row) -> {
					String id = row.getString("client_id");
					if (!clients.containsKey(id)) {
						clients.put(id,
								new ClientRecord(id, row.getString("description"), row.getString("secret_hash"),
										row.getBoolean("enabled"), SqlTime.read(row, "created_at"),
										SqlTime.read(row, "tokens_not_before"), List.of()));
						grants.put(id, new ArrayList<>());
					}
					String grant = row.getString("grant_value");
					if (grant != null) {
						grants.get(id).add(grant);
					}
				}, arguments);
		// sorted here rather than by the database, whose collation may differ between PostgreSQL and H2
		return clients.values()
			.stream()
			.sorted(Comparator.comparing(ClientRecord::clientId))
			.map((client) -> new ClientRecord(client.clientId(), client.description(), client.secretHash(),
					client.enabled(), client.createdAt(), client.tokensNotBefore(),
					List.copyOf(new TreeSet<>(grants.get(client.clientId())))))
			.toList();
	}

	@FunctionalInterface
	private interface Change {

		/** Applies the change inside the transaction; returns whether anything changed. */
		boolean apply(ClientRecord current, Instant now);

	}

}
