package dev.switchboard.bench.platform;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;

/**
 * Reads the certificate a platform server presents to a new connection now: opens one TLS connection, records the
 * server's chain as the trust manager checks it, and closes it. Whether the call after the handshake succeeds does
 * not matter (a component refuses a caller without a client certificate).
 */
public final class PresentedCertificate {

	private PresentedCertificate() {
	}

	/**
	 * Returns the leaf certificate {@code target} presents, verified by {@code trust}.
	 * @param clientKeys the key managers of a client certificate to present, or none
	 * @throws IllegalStateException when no certificate was presented (nothing listens, or it is not TLS)
	 */
	public static X509Certificate of(String target, X509ExtendedTrustManager trust, KeyManager... clientKeys) {
		Objects.requireNonNull(trust, "trust");
		AtomicReference<X509Certificate> presented = new AtomicReference<>();
		TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
			.trustManager(new Recording(trust, presented));
		if (clientKeys.length > 0) {
			credentials.keyManager(clientKeys);
		}
		ManagedChannel probe = Grpc.newChannelBuilder(target, credentials.build()).build();
		try {
			HealthGrpc.newBlockingStub(probe)
				.withDeadlineAfter(5, TimeUnit.SECONDS)
				.check(HealthCheckRequest.getDefaultInstance());
		}
		catch (StatusRuntimeException ex) {
			// the handshake got as far as the server's certificate, which is all that is wanted
		}
		finally {
			probe.shutdownNow();
		}
		X509Certificate certificate = presented.get();
		if (certificate == null) {
			throw new IllegalStateException(target + " presented no certificate");
		}
		return certificate;
	}

	/** Checks a server's chain with the delegate and keeps its leaf; refuses to be a server's trust manager. */
	private static final class Recording extends X509ExtendedTrustManager {

		private final X509ExtendedTrustManager trust;

		private final AtomicReference<X509Certificate> presented;

		Recording(X509ExtendedTrustManager trust, AtomicReference<X509Certificate> presented) {
			this.trust = trust;
			this.presented = presented;
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			this.trust.checkServerTrusted(chain, authType);
			this.presented.set(chain[0]);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			checkServerTrusted(chain, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			checkServerTrusted(chain, authType);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			throw new CertificateException("a client-side trust manager");
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			checkClientTrusted(chain, authType);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			checkClientTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return this.trust.getAcceptedIssuers();
		}

	}

}
