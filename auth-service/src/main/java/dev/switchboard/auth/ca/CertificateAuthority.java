package dev.switchboard.auth.ca;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.SpiffeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * This replica's view of the platform CAs, their rotation, and the signing of leaf certificates.
 * <p>
 * The newest CA signs; every CA not yet expired is in the trust bundle. A new CA is made when there is none or the
 * newest has less than {@code rotateBefore} left ({@link #rotateIfDue()}, on the caller's schedule), or on demand
 * ({@link #rotate()}, the {@code authca} actuator endpoint). Making one inserts it under the
 * {@code certificate-authority} lock row, so replicas sharing the database make one CA per period and all use it.
 * Other replicas pick a new CA up at their next {@link #refresh()}. The {@link TrustBundleListener}s hear every change
 * of the bundle seen here, including the first load.
 * <p>
 * Thread-safe: readers use an immutable snapshot swapped atomically. {@link #refresh()}, {@link #rotate()},
 * {@link #rotateIfDue()} block on the database, and so does {@link #issue} while no CA has been loaded yet.
 */
public final class CertificateAuthority {

	private static final Logger logger = LoggerFactory.getLogger(CertificateAuthority.class);

	private final CaStore store;

	private final DatabaseLocks locks;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final String trustDomain;

	private final CaProperties properties;

	private final List<TrustBundleListener> listeners;

	private volatile List<CaKey> cas = List.of();

	/** The bundle the listeners last accepted; guarded by {@code this}. */
	private List<X509Certificate> published = List.of();

	/**
	 * @param trustDomain the trust domain certificates name and CA subjects carry
	 * @param listeners told of every change of the trust bundle
	 */
	public CertificateAuthority(CaStore store, DatabaseLocks locks, TransactionTemplate transactions, Clock clock,
			String trustDomain, CaProperties properties, List<TrustBundleListener> listeners) {
		this.store = Objects.requireNonNull(store, "store");
		this.locks = Objects.requireNonNull(locks, "locks");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
		this.properties = Objects.requireNonNull(properties, "properties");
		this.listeners = List.copyOf(listeners);
		// fails early, with the reason, for a trust domain no SPIFFE id can carry
		SpiffeId.of(trustDomain, "auth", "check");
	}

	/**
	 * Reloads the CAs from the database and tells the listeners when the bundle changed.
	 * @throws dev.switchboard.auth.StartupException when a stored CA does not open with the key-encryption key
	 */
	public void refresh() {
		List<CaKey> loaded = this.store.unexpired(this.clock.instant());
		List<CaKey> previous = this.cas;
		this.cas = loaded;
		if (!loaded.isEmpty() && (previous.isEmpty() || previous.get(0).id() != loaded.get(0).id())) {
			CaKey signing = loaded.get(0);
			logger.info("Signing certificates with CA {} ({}, valid until {}); {} CA certificate(s) trusted",
					signing.id(), signing.certificate().getSubjectX500Principal().getName(), signing.notAfter(),
					loaded.size());
		}
		publish();
	}

	private synchronized void publish() {
		List<X509Certificate> bundle = trustBundle();
		if (bundle.equals(this.published)) {
			return;
		}
		for (TrustBundleListener listener : this.listeners) {
			listener.bundleChanged(bundle);
		}
		this.published = bundle;
	}

	/**
	 * Makes the first CA when there is none, or a new one when the newest expires within {@code rotateBefore}.
	 * @return whether a new CA was made (by this call)
	 */
	public boolean rotateIfDue() {
		if (!due()) {
			refresh();
			return false;
		}
		Boolean rotated = this.transactions.execute((status) -> {
			this.locks.lock(DatabaseLocks.CERTIFICATE_AUTHORITY);
			if (!due()) {
				return false;
			}
			insertNew();
			return true;
		});
		refresh();
		return Boolean.TRUE.equals(rotated);
	}

	private boolean due() {
		Instant now = this.clock.instant();
		List<CaKey> stored = this.store.unexpired(now);
		return stored.isEmpty() || !stored.get(0).notAfter().minus(this.properties.rotateBefore()).isAfter(now);
	}

	/** Makes a new signing CA now, whatever the age of the current one; the others stay trusted until they expire. */
	public CaKey rotate() {
		CaKey made = this.transactions.execute((status) -> {
			this.locks.lock(DatabaseLocks.CERTIFICATE_AUTHORITY);
			return insertNew();
		});
		refresh();
		return made;
	}

	private CaKey insertNew() {
		CaKey ca = CaKey.generate(this.store.nextId(), this.trustDomain, this.clock.instant(),
				this.properties.caLifetime());
		this.store.insert(ca);
		logger.info("Made CA {} ({}), valid until {}", ca.id(), ca.certificate().getSubjectX500Principal().getName(),
				ca.notAfter());
		return ca;
	}

	/** Deletes CAs that expired: nothing they signed is valid any more. */
	public int deleteExpired() {
		return this.store.deleteExpired(this.clock.instant());
	}

	/** Returns the CAs not yet expired, newest (the signing one) first. */
	public List<CaKey> cas() {
		Instant now = this.clock.instant();
		return this.cas.stream().filter((ca) -> ca.validAt(now)).toList();
	}

	/** Returns every CA certificate not yet expired, newest first. */
	public List<X509Certificate> trustBundle() {
		return cas().stream().map(CaKey::certificate).toList();
	}

	/** Returns the trust domain this CA certifies identities of. */
	public String trustDomain() {
		return this.trustDomain;
	}

	/**
	 * Signs a certificate for {@code identity}'s key with the newest CA, making the first CA if this replica has none
	 * yet. Does not check who asks: callers do.
	 * @throws IllegalArgumentException when {@code identity} is of another trust domain
	 */
	public IssuedCertificate issue(SpiffeId identity, CertificateRequest request) {
		Objects.requireNonNull(identity, "identity");
		Objects.requireNonNull(request, "request");
		if (!this.trustDomain.equals(identity.trustDomain())) {
			throw new IllegalArgumentException("this CA certifies identities of trust domain '" + this.trustDomain
					+ "', not '" + identity.trustDomain() + "'");
		}
		List<CaKey> current = cas();
		if (current.isEmpty()) {
			rotateIfDue();
			current = cas();
			if (current.isEmpty()) {
				throw new IllegalStateException("no CA to sign with");
			}
		}
		X509Certificate leaf = current.get(0)
			.issue(identity, request.publicKey(), this.clock.instant(), this.properties.certificateLifetime());
		return new IssuedCertificate(List.of(leaf), current.stream().map(CaKey::certificate).toList());
	}

	/** Returns how long issued certificates live. */
	public Duration certificateLifetime() {
		return this.properties.certificateLifetime();
	}

}
