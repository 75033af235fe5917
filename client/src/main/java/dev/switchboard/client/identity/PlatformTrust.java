package dev.switchboard.client.identity;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this process trusts: the platform CA certificates of its trust bundle, and only identities of its trust
 * domain. Trust starts from a CA file given in configuration (never from first use); certificates the CA sends with
 * an issued certificate, over a connection already verified against this bundle, are added to it, so a CA rotation
 * reaches every process with its next renewal. The file is read again when it changes.
 * <p>
 * Peers are checked by identity, not host name: a chain must lead to a bundle certificate, and its leaf must name
 * exactly one {@code spiffe://<trust-domain>/group/<group>/instance/<id>}. A trust manager for a client may further
 * demand the server's group ({@link #trustManager(Set)}), so a channel to the auth group accepts nothing but an
 * {@code auth} identity. Thread-safe.
 */
public final class PlatformTrust {

	private static final Logger logger = LoggerFactory.getLogger(PlatformTrust.class);

	private final String trustDomain;

	private final Path bundleFile;

	private final AtomicReference<Anchors> anchors = new AtomicReference<>();

	private volatile long bundleFileModified;

	/**
	 * @param trustDomain the platform's trust domain; identities of any other are refused
	 * @param bundleFile a PEM file of the platform's CA certificates
	 * @throws IllegalArgumentException if the file holds no certificate
	 */
	public static PlatformTrust fromFile(String trustDomain, Path bundleFile) {
		Objects.requireNonNull(bundleFile, "bundleFile");
		if (!Files.isReadable(bundleFile)) {
			throw new IllegalArgumentException("the platform's trust bundle " + bundleFile
					+ " is missing or unreadable (switchboard.identity.trust-bundle)");
		}
		PlatformTrust trust = new PlatformTrust(trustDomain, bundleFile, Pem.readCertificates(bundleFile));
		trust.bundleFileModified = lastModified(bundleFile);
		return trust;
	}

	/** Trust in exactly these CA certificates, for tests and for the CA itself. */
	public static PlatformTrust of(String trustDomain, List<X509Certificate> caCertificates) {
		return new PlatformTrust(trustDomain, null, caCertificates);
	}

	private PlatformTrust(String trustDomain, Path bundleFile, List<X509Certificate> caCertificates) {
		this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
		this.bundleFile = bundleFile;
		this.anchors.set(Anchors.of(caCertificates));
	}

	public String trustDomain() {
		return this.trustDomain;
	}

	/** The CA certificates trusted now. */
	public List<X509Certificate> certificates() {
		return this.anchors.get().certificates();
	}

	/**
	 * Adds CA certificates learned from the CA over a verified connection (a rotation's new CA); expired ones are
	 * dropped.
	 */
	public void add(List<X509Certificate> caCertificates) {
		this.anchors.updateAndGet((current) -> current.with(caCertificates));
	}

	/** Reads the bundle file again if it changed since it was last read; keeps the current trust if it is unreadable. */
	public void reloadIfChanged() {
		if (this.bundleFile == null) {
			return;
		}
		long modified = lastModified(this.bundleFile);
		if (modified == this.bundleFileModified) {
			return;
		}
		try {
			List<X509Certificate> certificates = Pem.readCertificates(this.bundleFile);
			this.anchors.updateAndGet((current) -> current.with(certificates));
			this.bundleFileModified = modified;
			logger.info("Trust bundle {} read again: {} CA certificate(s)", this.bundleFile, certificates().size());
		}
		catch (RuntimeException ex) {
			logger.warn("Trust bundle {} changed but cannot be read, keeping the current one: {}", this.bundleFile,
					ex.getMessage());
		}
	}

	/**
	 * Returns the identity a verified peer chain names, or throws.
	 * @throws CertificateException if the chain does not lead to the bundle or names no identity of this trust domain
	 */
	public SpiffeId verify(X509Certificate[] chain, boolean server, String authType) throws CertificateException {
		if (chain == null || chain.length == 0) {
			throw new CertificateException("no certificate presented");
		}
		X509TrustManager pkix = this.anchors.get().trustManager();
		// the two-argument checks validate path, validity and extended key usage, never a host name: platform peers
		// are known by identity
		if (server) {
			pkix.checkServerTrusted(chain, authType);
		}
		else {
			pkix.checkClientTrusted(chain, authType);
		}
		SpiffeId identity = SpiffeId.of(chain[0]);
		if (identity == null) {
			throw new CertificateException("the certificate names no spiffe://" + this.trustDomain + " identity");
		}
		if (!identity.trustDomain().equals(this.trustDomain)) {
			throw new CertificateException(
					"identity " + identity + " is not of trust domain " + this.trustDomain);
		}
		return identity;
	}

	/**
	 * Returns a trust manager that accepts platform identities; as a client's, only servers whose group is in
	 * {@code serverGroups} (any group when empty). Clients are checked for the trust domain only: which groups may
	 * call a server is the server's interceptor's business ({@link PeerAuthorization}).
	 */
	public X509ExtendedTrustManager trustManager(Set<String> serverGroups) {
		return new IdentityTrustManager(this, Set.copyOf(serverGroups));
	}

	/** Returns a factory of {@link #trustManager(Set) trust managers} accepting any platform group. */
	public TrustManagerFactory trustManagerFactory() {
		return Managers.trustManagerFactory(trustManager(Set.of()));
	}

	private static long lastModified(Path file) {
		try {
			return Files.getLastModifiedTime(file).toMillis();
		}
		catch (java.io.IOException ex) {
			return -1;
		}
	}

	/** The CA certificates trusted now and a PKIX trust manager over them. */
	private record Anchors(List<X509Certificate> certificates, X509TrustManager trustManager) {

		static Anchors of(List<X509Certificate> certificates) {
			Map<String, X509Certificate> unique = new LinkedHashMap<>();
			Instant now = Instant.now();
			for (X509Certificate certificate : certificates) {
				if (certificate.getNotAfter().toInstant().isAfter(now)) {
					unique.put(certificate.getSubjectX500Principal().getName() + "#" + certificate.getSerialNumber(),
							certificate);
				}
			}
			if (unique.isEmpty()) {
				throw new IllegalArgumentException("no unexpired CA certificate to trust");
			}
			List<X509Certificate> kept = List.copyOf(unique.values());
			return new Anchors(kept, pkix(kept));
		}

		Anchors with(List<X509Certificate> more) {
			List<X509Certificate> all = new ArrayList<>(this.certificates);
			all.addAll(more);
			return of(all);
		}

		private static X509TrustManager pkix(List<X509Certificate> certificates) {
			try {
				KeyStore store = KeyStore.getInstance("PKCS12");
				store.load(null, null);
				int index = 0;
				for (X509Certificate certificate : certificates) {
					store.setCertificateEntry("ca-" + index++, certificate);
				}
				TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
				factory.init(store);
				for (TrustManager manager : factory.getTrustManagers()) {
					if (manager instanceof X509TrustManager x509) {
						return x509;
					}
				}
				throw new IllegalStateException("no X.509 trust manager");
			}
			catch (GeneralSecurityException | java.io.IOException ex) {
				throw new IllegalStateException("cannot build the platform trust store", ex);
			}
		}

	}

	/** Checks chains against the platform bundle, never host names; a client's also checks the server's group. */
	private static final class IdentityTrustManager extends X509ExtendedTrustManager {

		private final PlatformTrust trust;

		private final Set<String> serverGroups;

		IdentityTrustManager(PlatformTrust trust, Set<String> serverGroups) {
			this.trust = trust;
			this.serverGroups = serverGroups;
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			this.trust.verify(chain, false, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			SpiffeId identity = this.trust.verify(chain, true, authType);
			if (!this.serverGroups.isEmpty() && !this.serverGroups.contains(identity.group())) {
				throw new CertificateException("server " + identity + " is not of group " + this.serverGroups);
			}
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			checkClientTrusted(chain, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			checkServerTrusted(chain, authType);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			checkClientTrusted(chain, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			checkServerTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return this.trust.certificates().toArray(X509Certificate[]::new);
		}

	}

}
