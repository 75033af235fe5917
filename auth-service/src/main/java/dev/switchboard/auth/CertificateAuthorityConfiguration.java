package dev.switchboard.auth;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import dev.switchboard.auth.actuate.AuthCaEndpoint;
import dev.switchboard.auth.ca.CaProperties;
import dev.switchboard.auth.ca.CaStore;
import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.auth.ca.KeyEncryptionKey;
import dev.switchboard.auth.ca.LocalCertificateIssuer;
import dev.switchboard.auth.ca.TrustBundleFile;
import dev.switchboard.auth.ca.TrustBundleListener;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.decision.Authorizer;
import dev.switchboard.auth.grpc.CertificatesGrpcService;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.PlatformTrust;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Wires the platform certificate authority: the key-encryption key, the CA on the shared database (its first CA is
 * made by {@code authStartup}, its reload and rotation run on {@code auth-maintenance}), the trust bundle file, the
 * {@code Certificates} gRPC service, the {@code CertificateIssuer} the auth process's own identity uses, the
 * {@code authca} actuator endpoint and {@code GET /ca}.
 */
@Configuration(proxyBeanMethods = false)
class CertificateAuthorityConfiguration {

	/** The media type of {@code GET /ca}. */
	static final MediaType PEM = MediaType.parseMediaType("application/x-pem-file");

	@Bean
	KeyEncryptionKey caKeyEncryptionKey(CaProperties ca, AuthProperties properties) {
		return KeyEncryptionKey.load(ca, properties.dataDir());
	}

	@Bean
	CertificateAuthority certificateAuthority(JdbcTemplate jdbc, KeyEncryptionKey caKeyEncryptionKey,
			DatabaseLocks locks, TransactionTemplate transactions, Clock authClock,
			@Value("${switchboard.identity.trust-domain:switchboard.local}") String trustDomain, CaProperties ca) {
		List<TrustBundleListener> listeners = (ca.bundleFile() != null) ? List.of(new TrustBundleFile(ca.bundleFile()))
				: List.of();
		return new CertificateAuthority(new CaStore(jdbc, caKeyEncryptionKey), locks, transactions, authClock,
				trustDomain, ca, listeners);
	}

	/**
	 * The auth process trusts the bundle of the CA it runs rather than a file it would have to wait for: the first
	 * CA is made here when the database has none; later CAs reach this trust with each renewal of auth's own
	 * certificate.
	 */
	@Bean
	PlatformTrust switchboardPlatformTrust(CertificateAuthority certificateAuthority) {
		certificateAuthority.rotateIfDue();
		return PlatformTrust.of(certificateAuthority.trustDomain(), certificateAuthority.trustBundle());
	}

	/** Signs the auth process's own certificate requests with the CA directly. */
	@Bean
	LocalCertificateIssuer localCertificateIssuer(CertificateAuthority certificateAuthority) {
		return new LocalCertificateIssuer(certificateAuthority);
	}

	@Bean
	CertificatesGrpcService certificatesGrpcService(Authorizer authorizer, CertificateAuthority certificateAuthority,
			ServiceExceptionHandler exceptions, MeterRegistry meters) {
		return new CertificatesGrpcService(authorizer, certificateAuthority, exceptions, meters);
	}

	@Bean
	AuthCaEndpoint authCaEndpoint(CertificateAuthority certificateAuthority) {
		return new AuthCaEndpoint(certificateAuthority);
	}

	/** {@code GET /ca}: the trust bundle as PEM, open to anyone like the JWKS. */
	@Bean
	RouterFunction<ServerResponse> trustBundleRoute(CertificateAuthority certificateAuthority) {
		return RouterFunctions.route()
			.GET("/ca", (request) -> {
				List<X509Certificate> bundle = certificateAuthority.trustBundle();
				if (bundle.isEmpty()) {
					return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body("no CA yet\n");
				}
				return ServerResponse.ok()
					.contentType(PEM)
					.cacheControl(CacheControl.noCache())
					.body(Pem.toPem(bundle));
			})
			.build();
	}

}
