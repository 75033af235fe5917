package dev.switchboard.auth.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A migrated database for one test class: embedded H2 (as the service runs by default), or PostgreSQL in a schema of
 * its own. PostgreSQL comes from {@code SWITCHBOARD_TEST_POSTGRES_URL} (user {@code SWITCHBOARD_TEST_POSTGRES_USER},
 * default {@code postgres}; password {@code SWITCHBOARD_TEST_POSTGRES_PASSWORD}, default none), else from a
 * Testcontainers container when Docker is available, else it is unavailable and the tests using it are skipped with
 * the reason. Store tests are {@link DatabaseTest}s, run once per database; JUnit closes the database (dropping the
 * schema) after the class ran on it.
 */
public final class TestDatabase implements AutoCloseable {

	private static final String POSTGRES_URL = "SWITCHBOARD_TEST_POSTGRES_URL";

	/** Started at most once per JVM, shared by every test class (each gets its own schema). */
	private static PostgreSQLContainer container;

	private static String containerProblem;

	private final String name;

	private final Kind kind;

	private HikariDataSource dataSource;

	private String schema;

	private String unavailable;

	private TestDatabase(String name, Kind kind) {
		this.name = name;
		this.kind = kind;
	}

	/** Every database the store tests run on. */
	public static Stream<TestDatabase> all() {
		return Stream.of(h2(), postgres());
	}

	/** An embedded in-memory H2 database in PostgreSQL mode. */
	public static TestDatabase h2() {
		return new TestDatabase("H2", Kind.H2);
	}

	/** A PostgreSQL schema, when a server can be had. */
	public static TestDatabase postgres() {
		return new TestDatabase("PostgreSQL", Kind.POSTGRES);
	}

	/** Creates and migrates the database; afterwards {@link #unavailable()} tells whether that worked. */
	public TestDatabase start() {
		if (this.dataSource != null || this.unavailable != null) {
			return this;
		}
		HikariConfig config = new HikariConfig();
		config.setMaximumPoolSize(8);
		config.setPoolName("test-" + this.name);
		if (this.kind == Kind.H2) {
			config.setJdbcUrl("jdbc:h2:mem:auth-" + UUID.randomUUID()
					+ ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
		}
		else {
			String url = System.getenv(POSTGRES_URL);
			if (url != null && !url.isBlank()) {
				config.setJdbcUrl(url);
				config.setUsername(env("SWITCHBOARD_TEST_POSTGRES_USER", "postgres"));
				config.setPassword(env("SWITCHBOARD_TEST_POSTGRES_PASSWORD", ""));
			}
			else {
				PostgreSQLContainer server = container();
				if (server == null) {
					this.unavailable = "PostgreSQL tests skipped: " + POSTGRES_URL + " is not set and "
							+ containerProblem;
					return this;
				}
				config.setJdbcUrl(server.getJdbcUrl());
				config.setUsername(server.getUsername());
				config.setPassword(server.getPassword());
			}
			this.schema = "auth_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
			config.setSchema(this.schema);
			config.setConnectionInitSql("CREATE SCHEMA IF NOT EXISTS " + this.schema);
		}
		try {
			this.dataSource = new HikariDataSource(config);
		}
		catch (RuntimeException ex) {
			this.unavailable = this.name + " tests skipped: cannot connect to " + config.getJdbcUrl() + ": "
					+ ex.getMessage();
			return this;
		}
		Flyway.configure()
			.dataSource(this.dataSource)
			.schemas((this.schema != null) ? new String[] { this.schema } : new String[0])
			.locations("classpath:db/migration")
			.load()
			.migrate();
		return this;
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	private static synchronized PostgreSQLContainer container() {
		if (container == null && containerProblem == null) {
			try {
				if (!DockerClientFactory.instance().isDockerAvailable()) {
					containerProblem = "Docker is not available for Testcontainers";
					return null;
				}
				PostgreSQLContainer started = new PostgreSQLContainer("postgres:17-alpine");
				started.start();
				container = started;
			}
			catch (RuntimeException ex) {
				containerProblem = "Testcontainers could not start PostgreSQL: " + ex.getMessage();
			}
		}
		return container;
	}

	/** Returns why this database cannot be used, or null when it can. Call {@link #start()} first. */
	public String unavailable() {
		return this.unavailable;
	}

	public DataSource dataSource() {
		if (this.dataSource == null) {
			throw new IllegalStateException(this.name + " is not started");
		}
		return this.dataSource;
	}

	public JdbcTemplate jdbc() {
		return new JdbcTemplate(dataSource());
	}

	public TransactionTemplate transactions() {
		return new TransactionTemplate(new DataSourceTransactionManager(dataSource()));
	}

	/**
	 * Makes the database ready for one test: starts it on first use, skips the test (with the reason) when it cannot
	 * be had, and empties every table but the lock rows.
	 */
	public TestDatabase prepare() {
		start();
		Assumptions.assumeTrue(this.unavailable == null, this.unavailable);
		clear();
		return this;
	}

	/** Empties every table but the lock rows, so each test starts from a fresh database. */
	public void clear() {
		JdbcTemplate jdbc = jdbc();
		for (String table : new String[] { "client_grants", "clients", "revocations", "revocation_events",
				"signing_keys", "token_failures", "token_lockouts", "token_issues", "certificate_authorities" }) {
			jdbc.update("DELETE FROM " + table);
		}
	}

	/** Returns whether this is PostgreSQL. */
	public boolean isPostgres() {
		return this.kind == Kind.POSTGRES;
	}

	@Override
	public void close() throws SQLException {
		if (this.dataSource == null) {
			return;
		}
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute((this.schema != null) ? "DROP SCHEMA " + this.schema + " CASCADE" : "DROP ALL OBJECTS");
		}
		finally {
			this.dataSource.close();
			this.dataSource = null;
		}
	}

	@Override
	public String toString() {
		return this.name.toLowerCase(Locale.ROOT).equals("h2") ? "H2" : this.name;
	}

	private enum Kind {

		H2, POSTGRES

	}

}
