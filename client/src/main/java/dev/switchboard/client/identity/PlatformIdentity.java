package dev.switchboard.client.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's identity on the platform: a key of its own and a short-lived certificate from the platform's CA
 * naming its group and instance. {@link #start} gets the first certificate (retrying until the CA answers or the
 * start timeout passes); a renewal then runs at about two thirds of each certificate's life, with a new key, and
 * retries with backoff while the CA cannot be reached. The {@link #keyManager() key manager} always presents the
 * newest certificate, so running servers and channels use a renewed one from their next handshake on, without a
 * restart.
 * <p>
 * Thread-safe. {@link #start} blocks; everything else returns at once.
 */
public final class PlatformIdentity implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(PlatformIdentity.class);

	private static final Duration MIN_RETRY = Duration.ofMillis(200);

	private static final Duration MAX_RETRY = Duration.ofSeconds(10);

	/** The shortest wait before a renewal, whatever the certificate's life: never a hot loop against the CA. */
	private static final Duration MIN_RENEWAL_DELAY = Duration.ofSeconds(1);

	private final SpiffeId id;

	private final CertificateIssuer issuer;

	private final PlatformTrust trust;

	private final Clock clock;

	private final double renewAt;

	private final IdentityKeyManager keyManager = new IdentityKeyManager();

	private volatile Credential current;

	/** The credential before the current one, for a handshake that chose its alias just before a renewal. */
	private volatile Credential previous;

	private volatile ScheduledExecutorService scheduler;

	private volatile ScheduledFuture<?> next;

	private volatile boolean closed;

	/**
	 * @param id the identity to hold
	 * @param issuer where certificates come from
	 * @param trust what an issued chain must lead to; CA certificates the issuer sends are added to it
	 * @param renewAt the share of a certificate's life after which it is renewed, in (0, 1)
	 * @param clock tells when to renew
	 */
	public PlatformIdentity(SpiffeId id, CertificateIssuer issuer, PlatformTrust trust, double renewAt, Clock clock) {
		this.id = Objects.requireNonNull(id, "id");
		this.issuer = Objects.requireNonNull(issuer, "issuer");
		this.trust = Objects.requireNonNull(trust, "trust");
		this.clock = Objects.requireNonNull(clock, "clock");
		if (!(renewAt > 0 && renewAt < 1)) {
			throw new IllegalArgumentException("renewAt must be in (0, 1): " + renewAt);
		}
		if (!id.trustDomain().equals(trust.trustDomain())) {
			throw new IllegalArgumentException("identity " + id + " is not of trust domain " + trust.trustDomain());
		}
		this.renewAt = renewAt;
	}

	public SpiffeId id() {
		return this.id;
	}

	public PlatformTrust trust() {
		return this.trust;
	}

	/**
	 * Gets the first certificate, then keeps renewing on {@code scheduler}. Blocks until a certificate is held.
	 * @throws CertificateIssuer.CertificateUnavailableException if none could be had within {@code timeout}; the
	 * message is the CA's last answer
	 */
	public void start(ScheduledExecutorService scheduler, Duration timeout) {
		obtain(timeout);
		renewOn(scheduler);
	}

	/**
	 * Gets the first certificate, retrying while the CA cannot be reached or refuses; renews nothing yet (see
	 * {@link #renewOn}). Blocks until a certificate is held.
	 * @throws CertificateIssuer.CertificateUnavailableException if none could be had within {@code timeout}; the
	 * message is the CA's last answer
	 */
	public void obtain(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		Duration wait = MIN_RETRY;
		while (true) {
			try {
				renew();
				return;
			}
			catch (RuntimeException ex) {
				if (System.nanoTime() + wait.toNanos() > deadline || this.closed) {
					throw new CertificateIssuer.CertificateUnavailableException(
							"no certificate for " + this.id + " within " + timeout + ": " + ex.getMessage(), ex);
				}
				logger.info("No certificate for {} yet ({}); retrying in {} ms", this.id, ex.getMessage(),
						wait.toMillis());
				sleep(wait);
				wait = min(wait.multipliedBy(2), MAX_RETRY);
			}
		}
	}

	/**
	 * Renews the certificate held on {@code scheduler} from now on, each at its share of its life, until
	 * {@link #stopRenewing} or {@link #close}; renewals scheduled before on another scheduler are cancelled.
	 */
	public void renewOn(ScheduledExecutorService scheduler) {
		Objects.requireNonNull(scheduler, "scheduler");
		stopRenewing();
		this.scheduler = scheduler;
		Credential held = this.current;
		if (held == null) {
			throw new IllegalStateException("no certificate for " + this.id + " yet: obtain one first");
		}
		scheduleRenewal(held);
	}

	/** Stops renewing; the certificate held stays presented until it expires. */
	public void stopRenewing() {
		this.scheduler = null;
		ScheduledFuture<?> scheduled = this.next;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
	}

	/**
	 * Gets a certificate for a new key now and presents it from the next handshake on; schedules the next renewal
	 * while renewing.
	 * @throws RuntimeException if the CA could not be reached or refused, or its answer does not verify
	 */
	public X509Certificate renew() {
		this.trust.reloadIfChanged();
		KeyPair key = newKey();
		IssuedCertificate issued = this.issuer.issue(this.id, csr(key));
		Instant received = this.clock.instant();
		X509Certificate leaf = issued.leaf();
		if (!Arrays.equals(leaf.getPublicKey().getEncoded(), key.getPublic().getEncoded())) {
			throw new IllegalStateException("the CA certified another key than the one this process sent");
		}
		if (!this.id.equals(SpiffeId.of(leaf))) {
			throw new IllegalStateException("the CA issued " + SpiffeId.of(leaf) + " instead of " + this.id);
		}
		if (!issued.trustBundle().isEmpty()) {
			this.trust.add(issued.trustBundle());
		}
		X509Certificate[] chain = issued.chain().toArray(X509Certificate[]::new);
		try {
			this.trust.verify(chain, true, "UNKNOWN");
		}
		catch (CertificateException ex) {
			throw new IllegalStateException("the issued certificate does not verify: " + ex.getMessage(), ex);
		}
		Credential credential = new Credential("switchboard-" + leaf.getSerialNumber().toString(16), key.getPrivate(),
				chain, received, leaf.getNotAfter().toInstant());
		this.previous = this.current;
		this.current = credential;
		logger.info("Certificate for {} (serial {}) valid until {}", this.id, leaf.getSerialNumber().toString(16),
				credential.notAfter());
		scheduleRenewal(credential);
		return leaf;
	}

	/** The certificate presented now, or {@code null} before the first one. */
	public X509Certificate certificate() {
		Credential credential = this.current;
		return (credential != null) ? credential.chain()[0] : null;
	}

	/**
	 * When the certificate presented now is due for renewal: {@code renewAt} of the way from when it arrived to its
	 * expiry (a CA backdates notBefore for clock skew, which must not shorten the wait), at least a second after it
	 * arrived; {@code null} before the first certificate.
	 */
	public Instant renewalDue() {
		Credential credential = this.current;
		return (credential != null) ? due(credential) : null;
	}

	/** The key manager that presents the newest certificate to servers and clients alike. */
	public X509ExtendedKeyManager keyManager() {
		return this.keyManager;
	}

	/** A factory handing out {@link #keyManager()}, for APIs that take one (Spring SSL bundles). */
	public KeyManagerFactory keyManagerFactory() {
		return Managers.keyManagerFactory(this.keyManager);
	}

	@Override
	public void close() {
		this.closed = true;
		stopRenewing();
	}

	private void scheduleRenewal(Credential credential) {
		ScheduledExecutorService executor = this.scheduler;
		if (executor == null || this.closed) {
			return;
		}
		schedule(executor, Duration.between(this.clock.instant(), due(credential)), MIN_RETRY);
	}

	private Instant due(Credential credential) {
		Duration life = Duration.between(credential.received(), credential.notAfter());
		Duration wait = Duration.ofMillis((long) (life.toMillis() * this.renewAt));
		return credential.received().plus((wait.compareTo(MIN_RENEWAL_DELAY) > 0) ? wait : MIN_RENEWAL_DELAY);
	}

	private void schedule(ScheduledExecutorService executor, Duration delay, Duration retry) {
		if (this.closed) {
			return;
		}
		this.next = executor.schedule(() -> {
			try {
				renew();
			}
			catch (RuntimeException ex) {
				Credential held = this.current;
				Duration left = (held != null) ? Duration.between(this.clock.instant(), held.notAfter()) : Duration.ZERO;
				logger.warn("Renewing the certificate of {} failed ({}); {} left, retrying in {} ms", this.id,
						ex.getMessage(), left, retry.toMillis());
				schedule(executor, retry, min(retry.multipliedBy(2), MAX_RETRY));
			}
		}, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
	}

	private static KeyPair newKey() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot generate an EC P-256 key", ex);
		}
	}

	private byte[] csr(KeyPair key) {
		try {
			return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + this.id.group()), key.getPublic())
				.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
				.getEncoded();
		}
		catch (OperatorCreationException | java.io.IOException ex) {
			throw new IllegalStateException("cannot build a certification request", ex);
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private static void sleep(Duration wait) {
		try {
			Thread.sleep(wait.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CertificateIssuer.CertificateUnavailableException("interrupted while waiting for the CA", ex);
		}
	}

	/**
	 * One certificate and its key, and when it arrived; the alias changes with every renewal, so nothing caches an old
	 * one by name.
	 */
	private record Credential(String alias, PrivateKey key, X509Certificate[] chain, Instant received,
			Instant notAfter) {

	}

	/** Presents the current credential for any key type and issuer asked for: the platform has one CA chain. */
	private final class IdentityKeyManager extends X509ExtendedKeyManager {

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			String alias = alias();
			return (alias != null) ? new String[] { alias } : null;
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return alias();
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return alias();
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return getClientAliases(keyType, issuers);
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return alias();
		}

		@Override
		public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
			return alias();
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			Credential credential = credential(alias);
			return (credential != null) ? credential.chain().clone() : null;
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			Credential credential = credential(alias);
			return (credential != null) ? credential.key() : null;
		}

		private String alias() {
			Credential credential = PlatformIdentity.this.current;
			return (credential != null) ? credential.alias() : null;
		}

		/** The credential of an alias, so a handshake gets a chain and the key that matches it across a renewal. */
		private Credential credential(String alias) {
			Credential credential = PlatformIdentity.this.current;
			if (credential != null && credential.alias().equals(alias)) {
				return credential;
			}
			credential = PlatformIdentity.this.previous;
			return (credential != null && credential.alias().equals(alias)) ? credential : null;
		}

	}

}
