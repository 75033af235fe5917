package dev.switchboard.auth.key;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.switchboard.auth.database.DatabaseLocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * This replica's view of the signing keys, and their rotation.
 * <p>
 * The newest key with no {@code retired_at} signs; it is replaced every {@code rotation} (checked by the caller's
 * schedule through {@link #rotateIfDue()}) or on demand ({@link #rotate()}, the {@code authkeys} actuator endpoint).
 * Rotation retires every signing key and inserts a new one in one transaction under the {@code signing-keys} lock row,
 * so replicas never rotate twice for one period. A retired key stays published for {@code retention} (token lifetime
 * plus a minute), long enough for every token it signed to expire, including tokens signed by replicas that had not yet
 * seen the rotation. Other replicas see a new key at their next {@link #refresh()} or at once when a token names a key
 * id they do not know.
 * <p>
 * Thread-safe: readers use an immutable snapshot swapped atomically. {@link #refresh()}, {@link #rotate()} and
 * {@link #rotateIfDue()} block on the database.
 */
public final class KeyRing {

	private static final Logger logger = LoggerFactory.getLogger(KeyRing.class);

	/** The least time between two reloads triggered by unknown key ids, so forged ids cannot flood the database. */
	private static final long MISS_RELOAD_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final SigningKeyStore store;

	private final TransactionTemplate transactions;

	private final DatabaseLocks locks;

	private final Clock clock;

	private final Duration rotation;

	private final Duration retention;

	private volatile Snapshot snapshot = Snapshot.EMPTY;

	private volatile long lastMissReloadNanos = System.nanoTime() - MISS_RELOAD_INTERVAL_NANOS;

	/**
	 * @param rotation how long a key signs before it is replaced
	 * @param retention how long a retired key stays published
	 */
	public KeyRing(SigningKeyStore store, DatabaseLocks locks, TransactionTemplate transactions, Clock clock,
			Duration rotation, Duration retention) {
		this.store = Objects.requireNonNull(store, "store");
		this.locks = Objects.requireNonNull(locks, "locks");
		this.transactions = Objects.requireNonNull(transactions, "transactions");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.rotation = Objects.requireNonNull(rotation, "rotation");
		this.retention = Objects.requireNonNull(retention, "retention");
	}

	/** Reloads the published keys from the database. */
	public void refresh() {
		Instant now = this.clock.instant();
		List<SigningKey> keys = this.store.published(now.minus(this.retention));
		Snapshot previous = this.snapshot;
		Snapshot next = Snapshot.of(keys);
		this.snapshot = next;
		if (next.active != null && (previous.active == null || !previous.active.kid().equals(next.active.kid()))) {
			logger.info("Signing with key '{}' (created {}); {} key(s) published", next.active.kid(),
					next.active.createdAt(), keys.size());
		}
	}

	/**
	 * Makes the first key when there is none, or a new one when the signing key is older than the rotation period.
	 * @return whether a new key was made (by this call)
	 */
	public boolean rotateIfDue() {
		if (!due()) {
			refresh();
			return false;
		}
		// made before taking the lock: key generation takes long enough to trip another replica's lock timeout
		SigningKey key = SigningKey.generate(this.clock.instant());
		Boolean rotated = this.transactions.execute((status) -> {
			this.locks.lock(DatabaseLocks.SIGNING_KEYS);
			if (!due()) {
				return false;
			}
			replaceActive(key);
			return true;
		});
		refresh();
		return Boolean.TRUE.equals(rotated);
	}

	private boolean due() {
		Instant now = this.clock.instant();
		SigningKey active = Snapshot.of(this.store.published(now.minus(this.retention))).active;
		return active == null || !active.createdAt().plus(this.rotation).isAfter(now);
	}

	/** Replaces the signing key now, whatever its age, and returns the new one. */
	public SigningKey rotate() {
		SigningKey key = SigningKey.generate(this.clock.instant());
		this.transactions.executeWithoutResult((status) -> {
			this.locks.lock(DatabaseLocks.SIGNING_KEYS);
			replaceActive(key);
		});
		refresh();
		return key;
	}

	private void replaceActive(SigningKey key) {
		int retired = this.store.retireActive(this.clock.instant());
		this.store.insert(key);
		logger.info("Rotated signing keys: new key '{}', {} key(s) retired", key.kid(), retired);
	}

	/** Deletes keys that left the JWKS. */
	public int deleteExpired() {
		return this.store.deleteRetired(this.clock.instant().minus(this.retention));
	}

	/**
	 * Returns the published key {@code kid}, reloading once from the database (at most every 200 ms) when it is not
	 * known yet, since another replica may have just made it.
	 */
	public Optional<SigningKey> find(String kid) {
		SigningKey key = this.snapshot.byKid.get(kid);
		if (key == null) {
			long now = System.nanoTime();
			if (now - this.lastMissReloadNanos >= MISS_RELOAD_INTERVAL_NANOS) {
				this.lastMissReloadNanos = now;
				try {
					refresh();
				}
				catch (RuntimeException ex) {
					// an unreachable database must not turn a bad key id into an error; the key stays unknown
					logger.debug("Cannot reload signing keys: {}", ex.toString());
				}
				key = this.snapshot.byKid.get(kid);
			}
		}
		if (key != null && key.retiredAt() != null
				&& !key.publishedUntil(this.retention).isAfter(this.clock.instant())) {
			return Optional.empty();
		}
		return Optional.ofNullable(key);
	}

	/**
	 * Returns the key that signs new tokens.
	 * @throws IllegalStateException when there is none yet
	 */
	public SigningKey active() {
		SigningKey active = this.snapshot.active;
		if (active == null) {
			throw new IllegalStateException("no signing key yet");
		}
		return active;
	}

	/** Returns the published keys, newest first. */
	public List<SigningKey> published() {
		return this.snapshot.keys;
	}

	/** Returns how long a retired key stays published. */
	public Duration retention() {
		return this.retention;
	}

	/** Returns the public keys as the JWKS endpoint serves them. */
	public JWKSource<SecurityContext> publishedSource() {
		return (selector, context) -> selector.select(this.snapshot.publicJwks);
	}

	/** Returns the signing key, private part included, as the token encoder's only choice. */
	public JWKSource<SecurityContext> signingSource() {
		return (selector, context) -> selector.select(new JWKSet(active().toSigningJwk()));
	}

	/** An immutable view of the published keys. */
	private record Snapshot(List<SigningKey> keys, Map<String, SigningKey> byKid, SigningKey active,
			JWKSet publicJwks) {

		static final Snapshot EMPTY = of(List.of());

		/** {@code keys} newest first. */
		static Snapshot of(List<SigningKey> keys) {
			Map<String, SigningKey> byKid = new LinkedHashMap<>();
			SigningKey active = null;
			for (SigningKey key : keys) {
				byKid.put(key.kid(), key);
				if (active == null && key.active()) {
					active = key;
				}
			}
			List<JWK> jwks = keys.stream().<JWK>map(SigningKey::toPublicJwk).toList();
			return new Snapshot(List.copyOf(keys), Map.copyOf(byKid), active, new JWKSet(jwks));
		}

	}

}
