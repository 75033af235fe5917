package dev.switchboard.auth.grpc;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;

import com.google.protobuf.ByteString;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.switchboard.auth.TestTokens;
import dev.switchboard.auth.ca.CaProperties;
import dev.switchboard.auth.ca.CaStore;
import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.auth.ca.KeyEncryptionKey;
import dev.switchboard.auth.ca.TestCsrs;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.TestDatabase;
import dev.switchboard.auth.decision.Authorizer;
import dev.switchboard.auth.decision.DecisionCache;
import dev.switchboard.auth.decision.TokenVerifier;
import dev.switchboard.auth.key.KeyRing;
import dev.switchboard.auth.key.SigningKey;
import dev.switchboard.auth.key.SigningKeyStore;
import dev.switchboard.auth.revocation.RevocationHub;
import dev.switchboard.auth.revocation.RevocationPoller;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.auth.v1.CertificatesGrpc;
import dev.switchboard.auth.v1.IssueCertificateRequest;
import dev.switchboard.auth.v1.IssueCertificateResponse;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.SpiffeId;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Certificates service in-process on embedded H2, with the real token checks: who gets a certificate for which
 * group, and what every refusal says.
 */
class CertificatesGrpcServiceTests {

	private static final String TRUST_DOMAIN = "switchboard.test";

	/** Made once: key generation is slow, and every test needs a signing key. */
	private static final SigningKey SIGNING_KEY = SigningKey.generate(Instant.now());

	private static final KeyPair LEAF_KEY = TestCsrs.ec("secp256r1");

	private static final byte[] CSR = TestCsrs.csr(LEAF_KEY);

	private static TestDatabase database;

	private final Clock clock = Clock.systemUTC();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private ClientStore clients;

	private RevocationStore revocations;

	private KeyRing keys;

	private CertificateAuthority authority;

	private Server server;

	private ManagedChannel channel;

	@BeforeAll
	static void startDatabase() {
		database = TestDatabase.h2().start();
	}

	@AfterAll
	static void stopDatabase() throws Exception {
		database.close();
	}

	@BeforeEach
	void startServer() throws Exception {
		database.prepare();
		this.revocations = new RevocationStore(database.jdbc(), database.transactions(), this.clock);
		this.clients = new ClientStore(database.jdbc(), database.transactions(), this.revocations, this.clock);
		this.keys = new KeyRing(new SigningKeyStore(database.jdbc()), new DatabaseLocks(database.jdbc()),
				database.transactions(), this.clock, Duration.ofHours(24), Duration.ofMinutes(16));
		new SigningKeyStore(database.jdbc()).insert(SIGNING_KEY);
		this.keys.refresh();
		DecisionCache cache = new DecisionCache(this.clients, this.revocations, Duration.ofSeconds(5));
		RevocationHub hub = new RevocationHub(16, this.revocations.maxSequence(), this.clock);
		RevocationPoller poller = new RevocationPoller(this.revocations, hub.sequence(), List.of(cache, hub),
				this.clock);
		Authorizer authorizer = new Authorizer(new TokenVerifier(this.keys, TestTokens.ISSUER, this.clock), cache,
				poller, new SimpleMeterRegistry());
		this.authority = new CertificateAuthority(new CaStore(database.jdbc(), KeyEncryptionKey.generate()),
				new DatabaseLocks(database.jdbc()), database.transactions(), this.clock, TRUST_DOMAIN,
				CaProperties.defaults(), List.of());
		this.authority.rotateIfDue();
		CertificatesGrpcService service = new CertificatesGrpcService(authorizer, this.authority,
				ServiceExceptionHandler.of("auth"), this.meters);
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
	}

	@AfterEach
	void stopServer() {
		this.channel.shutdownNow();
		this.server.shutdownNow();
	}

	private String token(String clientId) {
		return token(TestTokens.claims(clientId).build());
	}

	private String token(JWTClaimsSet claims) {
		return TestTokens.sign(SIGNING_KEY.toSigningJwk(), SIGNING_KEY.kid(), claims);
	}

	private String client(String clientId, String... grants) {
		this.clients.create(clientId, "", List.of(grants));
		return token(clientId);
	}

	private CertificatesGrpc.CertificatesBlockingStub as(String token) {
		CertificatesGrpc.CertificatesBlockingStub stub = CertificatesGrpc.newBlockingStub(this.channel);
		if (token == null) {
			return stub;
		}
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);
		return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
	}

	private static IssueCertificateRequest request(String group, String instance, byte[] csr) {
		return IssueCertificateRequest.newBuilder()
			.setGroup(group)
			.setInstanceId(instance)
			.setCsr(ByteString.copyFrom(csr))
			.build();
	}

	private double issued(String group) {
		Counter counter = this.meters.find("switchboard.auth.certificates.issued").tag("group", group).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private void assertRefused(Status.Code code, String reason, String token, IssueCertificateRequest request) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> as(token).issueCertificate(request))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(code))
			.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).contains(reason).doesNotContain("\n"));
		assertThat(this.meters.find("switchboard.auth.certificates.issued").counters()).isEmpty();
	}

	@Test
	void whenClientHoldsTheGroupsRegisterGrantThenItGetsACertificateThatValidatesAgainstTheBundle()
			throws Exception {
		String token = client("compute", "register:compute", "discover");

		IssueCertificateResponse answer = as(token).issueCertificate(request("compute", "compute-7", CSR));

		List<X509Certificate> chain = answer.getCertificateChainList()
			.stream()
			.map((der) -> Pem.certificate(der.toByteArray()))
			.toList();
		List<X509Certificate> bundle = answer.getTrustBundleList()
			.stream()
			.map((der) -> Pem.certificate(der.toByteArray()))
			.toList();
		TestCsrs.validate(chain, bundle, Instant.now());
		assertThat(bundle).isEqualTo(this.authority.trustBundle());
		SpiffeId identity = SpiffeId.of(TRUST_DOMAIN, "compute", "compute-7");
		assertThat(answer.getSpiffeId()).isEqualTo(identity.toString());
		assertThat(SpiffeId.of(chain.get(0))).isEqualTo(identity);
		assertThat(chain.get(0).getPublicKey()).isEqualTo(LEAF_KEY.getPublic());
		assertThat(answer.getNotAfter().getSeconds()).isEqualTo(chain.get(0).getNotAfter().getTime() / 1000);
		assertThat(Duration.between(Instant.now(), chain.get(0).getNotAfter().toInstant()))
			.isBetween(Duration.ofHours(24).minusMinutes(1), Duration.ofHours(24));
		assertThat(issued("compute")).isEqualTo(1);
	}

	@Test
	void whenWildcardGrantAsksForAnOrdinaryGroupThenItIsIssued() {
		String token = client("deployer", "register:*");

		as(token).issueCertificate(request("volume", "volume-1", CSR));

		assertThat(issued("volume")).isEqualTo(1);
	}

	@Test
	void whenWildcardGrantAsksForAReservedGroupThenPermissionDenied() {
		String token = client("deployer", "register:*", "discover");

		for (String reserved : List.of("auth", "router", "registry")) {
			assertRefused(Status.Code.PERMISSION_DENIED, "has no register:" + reserved + " grant", token,
					request(reserved, "x-1", CSR));
		}
	}

	@Test
	void whenClientHoldsTheExactReservedGrantThenItIsIssued() {
		String token = client("router", "register:router", "discover");

		as(token).issueCertificate(request("router", "router-1", CSR));

		assertThat(issued("router")).isEqualTo(1);
	}

	@Test
	void whenTokenIsForAnotherGroupOrHasNoGrantThenPermissionDenied() {
		String compute = client("compute", "register:compute", "call:volume/*");
		String nothing = client("nobody", "discover");

		assertRefused(Status.Code.PERMISSION_DENIED, "client 'compute' has no grant allowing register:volume", compute,
				request("volume", "v-1", CSR));
		assertRefused(Status.Code.PERMISSION_DENIED, "client 'nobody'", nothing, request("compute", "c-1", CSR));
	}

	@Test
	void whenThereIsNoTokenOrAForeignOneThenUnauthenticated() {
		this.clients.create("compute", "", List.of("register:compute"));
		String foreign = TestTokens.sign(TestTokens.foreignKey(), SIGNING_KEY.kid(),
				TestTokens.claims("compute").build());

		assertRefused(Status.Code.UNAUTHENTICATED, "missing 'authorization: Bearer <token>' metadata", null,
				request("compute", "c-1", CSR));
		assertRefused(Status.Code.UNAUTHENTICATED, "signature does not verify", foreign,
				request("compute", "c-1", CSR));
	}

	@Test
	void whenTokenExpiredThenUnauthenticated() {
		this.clients.create("compute", "", List.of("register:compute"));
		Instant past = Instant.now().minus(Duration.ofHours(1));
		String expired = token(TestTokens.claims("compute")
			.issueTime(Date.from(past))
			.notBeforeTime(Date.from(past))
			.expirationTime(Date.from(past.plusSeconds(60)))
			.build());

		assertRefused(Status.Code.UNAUTHENTICATED, "token expired", expired, request("compute", "c-1", CSR));
	}

	@Test
	void whenTokenRevokedThenUnauthenticated() {
		this.clients.create("compute", "", List.of("register:compute"));
		JWTClaimsSet claims = TestTokens.claims("compute").build();
		this.revocations.revokeToken(claims.getJWTID(), claims.getExpirationTime().toInstant());

		assertRefused(Status.Code.UNAUTHENTICATED, "token revoked", token(claims), request("compute", "c-1", CSR));
	}

	@Test
	void whenClientIsDisabledThenUnauthenticated() {
		String token = client("compute", "register:compute");
		this.clients.setEnabled("compute", false);

		assertRefused(Status.Code.UNAUTHENTICATED, "client 'compute' is disabled", token,
				request("compute", "c-1", CSR));
	}

	static Stream<Arguments> badRequests() {
		KeyPair other = TestCsrs.ec("secp256r1");
		return Stream.of(Arguments.of("oversized csr", request("compute", "c-1", new byte[4097]), "larger than 4096"),
				Arguments.of("malformed csr", request("compute", "c-1", Arrays.copyOf(CSR, CSR.length / 2)),
						"not a DER PKCS#10"),
				Arguments.of("csr signed by another key",
						request("compute", "c-1", TestCsrs.csr(LEAF_KEY.getPublic(), other.getPrivate())),
						"signature does not verify"),
				Arguments.of("no csr", request("compute", "c-1", new byte[0]), "csr is empty"),
				Arguments.of("bad instance", request("compute", "c/1", CSR), "instance_id 'c/1' must be"),
				Arguments.of("long instance", request("compute", "c".repeat(129), CSR), "instance_id"),
				Arguments.of("no group", request("", "c-1", CSR), "group is empty"),
				Arguments.of("bad group", request("comp ute", "c-1", CSR), "group 'comp ute' must be"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void whenRequestIsNotAcceptableThenInvalidArgumentWithTheReason(String name, IssueCertificateRequest request,
			String reason) {
		String token = client("compute", "register:compute");

		assertRefused(Status.Code.INVALID_ARGUMENT, reason, token, request);
	}

}
