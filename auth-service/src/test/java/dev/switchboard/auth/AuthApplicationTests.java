package dev.switchboard.auth;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

import com.google.protobuf.ByteString;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.auth.ca.TestCsrs;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.CertificatesGrpc;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.CreateClientResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.IssueCertificateRequest;
import dev.switchboard.auth.v1.IssueCertificateResponse;
import dev.switchboard.auth.v1.RotateSecretRequest;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.identity.CertificateIssuer;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.SpiffeId;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The whole service on a random HTTP port, an in-process gRPC server and an in-memory H2 database, bootstrapped
 * with a credentials file: real OAuth2 token requests, the JWKS, key rotation, rate limiting, actuator security and
 * Authorize with the tokens issued, the platform CA over gRPC and HTTP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.grpc.server.port=0", "switchboard.component.enabled=false",
				"switchboard.identity.enabled=false",
				"spring.security.user.password=" + AuthApplicationTests.ACTUATOR_PASSWORD,
				"switchboard.management.scrape-password=" + AuthApplicationTests.SCRAPE_PASSWORD,
				"switchboard.auth.rate-limit.address-failures=1000", "switchboard.auth.rate-limit.client-failures=5",
				"switchboard.auth.rate-limit.client-issues=" + AuthApplicationTests.CLIENT_ISSUES,
				"switchboard.auth.rate-limit.window=" + AuthApplicationTests.WINDOW_SECONDS + "s" })
class AuthApplicationTests {

	static final String ACTUATOR_PASSWORD = "actuator-secret";

	static final String SCRAPE_PASSWORD = "scrape-secret";

	/** Tokens per client and window: more than any other test here asks for one client. */
	static final int CLIENT_ISSUES = 20;

	/** The rate limits' fixed window: long, so that the requests a test counts fall in one window. */
	static final int WINDOW_SECONDS = 3600;

	private static final String COMPUTE_CALL = "call:compute/switchboard.sample.compute.v1.Compute/GetInstance";

	private static final String GRPC_NAME = "auth-test-" + UUID.randomUUID();

	private static final String ROUTER_SECRET = "router-secret-chosen-by-the-launcher";

	private static final String COMPUTE_SECRET = "compute-secret-chosen-by-the-launcher";

	private static Path folder;

	private static ManagedChannel channel;

	private final HttpClient http = HttpClient.newHttpClient();

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private CertificateIssuer issuer;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) throws IOException {
		folder = Files.createTempDirectory("auth-test");
		Files.writeString(folder.resolve("groups.env"), "SWITCHBOARD_ROUTER_CLIENT_SECRET=" + ROUTER_SECRET
				+ "\nSWITCHBOARD_COMPUTE_CLIENT_SECRET=" + COMPUTE_SECRET + "\n");
		registry.add("switchboard.auth.data-dir", () -> folder.toString());
		registry.add("switchboard.auth.bootstrap.credentials-file", () -> folder.resolve("credentials.env").toString());
		registry.add("switchboard.auth.bootstrap.group-secrets-file", () -> folder.resolve("groups.env").toString());
		registry.add("switchboard.auth.ca.bundle-file", () -> folder.resolve("ca.pem").toString());
		registry.add("spring.datasource.url",
				() -> "jdbc:h2:mem:auth-app-" + UUID.randomUUID() + ";MODE=PostgreSQL;DB_CLOSE_DELAY=-1");
		registry.add("spring.grpc.server.inprocess.name", () -> GRPC_NAME);
	}

	@BeforeAll
	static void connect() {
		channel = InProcessChannelBuilder.forName(GRPC_NAME).directExecutor().build();
	}

	@AfterAll
	static void disconnect() throws IOException {
		channel.shutdownNow();
		try (var files = Files.list(folder)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(folder);
	}

	private static Properties credentials() throws IOException {
		Properties credentials = new Properties();
		try (var reader = Files.newBufferedReader(folder.resolve("credentials.env"))) {
			credentials.load(reader);
		}
		return credentials;
	}

	private static String secretOf(String client) throws IOException {
		return credentials().getProperty("SWITCHBOARD_" + client.toUpperCase() + "_CLIENT_SECRET");
	}

	private HttpResponse<String> tokenRequest(String clientId, String secret, boolean basic) throws Exception {
		String form = "grant_type=client_credentials";
		HttpRequest.Builder request = HttpRequest.newBuilder(uri("/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded");
		if (basic) {
			request.header("Authorization", basic(URLEncoder.encode(clientId, StandardCharsets.UTF_8), secret));
		}
		else {
			form += "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&client_secret="
					+ URLEncoder.encode(secret, StandardCharsets.UTF_8);
		}
		return this.http.send(request.POST(HttpRequest.BodyPublishers.ofString(form)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private String token(String clientId, String secret) throws Exception {
		HttpResponse<String> response = tokenRequest(clientId, secret, true);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return (String) JSONObjectUtils.parse(response.body()).get("access_token");
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpResponse<String> get(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Waits, seldom and briefly, for the next window when the current one ends within the next 20 s, so that the
	 * requests a test counts on fall in one window.
	 */
	private static void awaitWindowWithRoom() throws InterruptedException {
		long window = WINDOW_SECONDS * 1000L;
		long left = window - Math.floorMod(System.currentTimeMillis(), window);
		if (left < 20_000) {
			Thread.sleep(left + 100);
		}
	}

	private static Decision authorize(String token, String action) {
		return AuthGrpc.newBlockingStub(channel)
			.authorize(AuthorizeRequest.newBuilder().setToken(token).setAction(action).build())
			.getDecision();
	}

	private static AuthGrpc.AuthBlockingStub as(String token) {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);
		return AuthGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
	}

	private JWKSet jwks() throws Exception {
		HttpResponse<String> response = get("/oauth2/jwks", null);
		assertThat(response.statusCode()).isEqualTo(200);
		return JWKSet.parse(response.body());
	}

	@Test
	void whenBootstrappedThenTheCredentialsFileHoldsAdminAndDemoAndNamesTheGroupClientsWithoutTheirSecrets()
			throws IOException {
		assertThat(credentials().stringPropertyNames()).containsExactlyInAnyOrder("SWITCHBOARD_ADMIN_CLIENT_ID",
				"SWITCHBOARD_ADMIN_CLIENT_SECRET", "SWITCHBOARD_DEMO_CLIENT_ID", "SWITCHBOARD_DEMO_CLIENT_SECRET",
				"SWITCHBOARD_ROUTER_CLIENT_ID", "SWITCHBOARD_COMPUTE_CLIENT_ID");
		assertThat(Files.readString(folder.resolve("credentials.env"))).doesNotContain(ROUTER_SECRET)
			.doesNotContain(COMPUTE_SECRET);
		assertThat(credentials().getProperty("SWITCHBOARD_DEMO_CLIENT_ID")).isEqualTo("demo");
	}

	@Test
	void whenClientAuthenticatesWithBasicThenItGetsAJwtWithKidJtiSubAndGrants() throws Exception {
		HttpResponse<String> response = tokenRequest("demo", secretOf("demo"), true);

		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Object> body = JSONObjectUtils.parse(response.body());
		assertThat(body).containsEntry("token_type", "Bearer");
		assertThat(((Number) body.get("expires_in")).longValue()).isBetween(890L, 900L);
		SignedJWT jwt = SignedJWT.parse((String) body.get("access_token"));
		assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
		assertThat(jwt.getHeader().getKeyID()).isNotBlank();
		assertThat(jwks().getKeyByKeyId(jwt.getHeader().getKeyID())).isNotNull();
		assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("demo");
		assertThat(jwt.getJWTClaimsSet().getJWTID()).isNotBlank();
		assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("http://127.0.0.1:8102");
		assertThat(jwt.getJWTClaimsSet().getStringListClaim("grants")).containsExactly("call:compute/*",
				"call:network/*", "call:volume/*", "discover");
		long lifetime = jwt.getJWTClaimsSet().getExpirationTime().getTime()
				- jwt.getJWTClaimsSet().getIssueTime().getTime();
		assertThat(lifetime).isEqualTo(15 * 60 * 1000);
	}

	@Test
	void whenGroupClientAuthenticatesWithPostThenItGetsATokenForItsOwnGroupOnly() throws Exception {
		HttpResponse<String> response = tokenRequest("compute", COMPUTE_SECRET, false);

		assertThat(response.statusCode()).isEqualTo(200);
		String token = (String) JSONObjectUtils.parse(response.body()).get("access_token");
		assertThat(authorize(token, "register:compute")).isEqualTo(Decision.ALLOWED);
		assertThat(authorize(token, "register:volume")).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(authorize(token, "admin")).isEqualTo(Decision.PERMISSION_DENIED);
	}

	@Test
	void whenTrustBundleIsAskedOverHttpThenItIsServedAsPemWithoutAuthenticationAndMatchesTheBundleFile()
			throws Exception {
		HttpResponse<String> response = get("/ca", null);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-pem-file");
		List<X509Certificate> served = Pem.parseCertificates(response.body());
		assertThat(served).isNotEmpty()
			.allSatisfy((ca) -> assertThat(ca.getSubjectX500Principal().getName())
				.startsWith("CN=Switchboard platform CA ")
				.endsWith(",O=switchboard.local"));
		assertThat(Pem.readCertificates(folder.resolve("ca.pem"))).isEqualTo(served);
		assertThat(Files.getPosixFilePermissions(folder.resolve("ca.pem")))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Files.getPosixFilePermissions(folder.resolve("ca.kek")))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
	}

	@Test
	void whenGroupClientAsksForACertificateOverGrpcThenItValidatesAgainstTheServedBundle() throws Exception {
		String token = token("router", ROUTER_SECRET);
		KeyPair key = TestCsrs.ec("secp256r1");
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);

		IssueCertificateResponse answer = CertificatesGrpc.newBlockingStub(channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
			.issueCertificate(IssueCertificateRequest.newBuilder()
				.setGroup("router")
				.setInstanceId("router-1")
				.setCsr(ByteString.copyFrom(TestCsrs.csr(key)))
				.build());

		X509Certificate leaf = Pem.certificate(answer.getCertificateChain(0).toByteArray());
		TestCsrs.validate(List.of(leaf), Pem.parseCertificates(get("/ca", null).body()), Instant.now());
		assertThat(answer.getSpiffeId()).isEqualTo("spiffe://switchboard.local/group/router/instance/router-1");
		HttpResponse<String> metrics = get("/actuator/prometheus", basic("admin", ACTUATOR_PASSWORD));
		assertThat(metrics.body()).contains("switchboard_auth_certificates_issued_total{group=\"router\"");
	}

	@Test
	void whenTheAuthProcessAsksItsOwnIssuerThenTheCaSignsWithoutAToken() {
		KeyPair key = TestCsrs.ec("secp256r1");
		SpiffeId self = SpiffeId.of("switchboard.local", "auth", "auth-1");

		IssuedCertificate issued = this.issuer.issue(self, TestCsrs.csr(key));

		assertThat(issued.identity()).isEqualTo(self);
		assertThat(issued.leaf().getPublicKey()).isEqualTo(key.getPublic());
		assertThatExceptionOfType(CertificateIssuer.CertificateUnavailableException.class)
			.isThrownBy(() -> this.issuer.issue(self, new byte[] { 1, 2, 3 }))
			.withMessageContaining("not a DER PKCS#10");
	}

	@Test
	void whenCaEndpointIsUsedByTheAdminThenItListsTheBundleAndRotatesKeepingTheOldCaTrusted() throws Exception {
		assertThat(get("/actuator/authca", null).statusCode()).isEqualTo(401);
		HttpResponse<String> listed = get("/actuator/authca", basic("admin", ACTUATOR_PASSWORD));
		assertThat(listed.statusCode()).isEqualTo(200);
		assertThat(listed.body()).contains("\"signing\":true", "sha256Fingerprint", "Switchboard platform CA")
			.doesNotContain("private");
		List<X509Certificate> before = Pem.parseCertificates(get("/ca", null).body());

		HttpResponse<String> rotated = this.http.send(HttpRequest.newBuilder(uri("/actuator/authca"))
			.header("Authorization", basic("admin", ACTUATOR_PASSWORD))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{}"))
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		List<X509Certificate> after = Pem.parseCertificates(get("/ca", null).body());
		assertThat(after).hasSize(before.size() + 1).containsAll(before);
		assertThat(Pem.readCertificates(folder.resolve("ca.pem"))).isEqualTo(after);
	}

	@Test
	void whenTokenIssuedThenAuthorizeAllowsItsGrantsOnly() throws Exception {
		String token = token("demo", secretOf("demo"));

		assertThat(authorize(token, COMPUTE_CALL)).isEqualTo(Decision.ALLOWED);
		assertThat(authorize(token, "call:registry/switchboard.registry.v1.Registry/Register"))
			.isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(authorize(token, "register:compute")).isEqualTo(Decision.PERMISSION_DENIED);
	}

	@Test
	void whenSecretIsWrongThenUnauthorized() throws Exception {
		HttpResponse<String> response = tokenRequest("admin", "wrong", true);

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.body()).contains("invalid_client").doesNotContain("wrong");
	}

	@Test
	void whenSecretIsGuessedRepeatedlyThenTooManyRequestsWithRetryAfterEvenForTheRightSecret() throws Exception {
		String admin = token("admin", secretOf("admin"));
		CreateClientResponse target = as(admin)
			.createClient(CreateClientRequest.newBuilder().setClientId("brute-target").addGrants("discover").build());
		awaitWindowWithRoom();

		for (int attempt = 0; attempt < 5; attempt++) {
			assertThat(tokenRequest("brute-target", "guess-" + attempt, attempt % 2 == 0).statusCode()).isEqualTo(401);
		}
		HttpResponse<String> refused = tokenRequest("brute-target", target.getClientSecret(), true);

		assertThat(refused.statusCode()).isEqualTo(429);
		// a first lockout lasts one window
		long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(WINDOW_SECONDS - 10L, (long) WINDOW_SECONDS);
		assertThat(refused.body()).contains(
				"too many failed attempts for client 'brute-target' from 127.0.0.1; retry in " + retryAfter + " s");
		assertThat(tokenRequest("demo", secretOf("demo"), true).statusCode()).isEqualTo(200);
	}

	@Test
	void whenClientIsUnknownThenEveryRefusalIsByteForByteTheOneForAWrongSecretUntilBothAreLockedOutAlike()
			throws Exception {
		String admin = token("admin", secretOf("admin"));
		as(admin).createClient(CreateClientRequest.newBuilder().setClientId("existing").addGrants("discover").build());
		awaitWindowWithRoom();

		for (int attempt = 0; attempt < 5; attempt++) {
			boolean basic = attempt % 2 == 0;
			HttpResponse<String> wrongSecret = tokenRequest("existing", "guess-" + attempt, basic);
			HttpResponse<String> unknownClient = tokenRequest("nonexistent", "guess-" + attempt, basic);

			assertThat(wrongSecret.statusCode()).isEqualTo(401);
			assertThat(unknownClient.statusCode()).isEqualTo(wrongSecret.statusCode());
			assertThat(unknownClient.body()).isEqualTo(wrongSecret.body()).isEqualTo("{\"error\":\"invalid_client\"}");
			assertThat(withoutDate(unknownClient)).isEqualTo(withoutDate(wrongSecret));
		}
		HttpResponse<String> existingLockedOut = tokenRequest("existing", "guess-5", true);
		HttpResponse<String> unknownLockedOut = tokenRequest("nonexistent", "guess-5", true);

		assertThat(existingLockedOut.statusCode()).isEqualTo(429);
		assertThat(unknownLockedOut.statusCode()).isEqualTo(429);
		assertThat(sameLockout(unknownLockedOut, "nonexistent")).isEqualTo(sameLockout(existingLockedOut, "existing"));
	}

	/** The headers that matter: all but the date, which moves with the clock. */
	private static Map<String, List<String>> withoutDate(HttpResponse<String> response) {
		Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		headers.putAll(response.headers().map());
		headers.remove("Date");
		return headers;
	}

	/**
	 * A lockout refusal with what names the client taken out: the client id, the length it gives the body and the
	 * seconds left (within a second of each other, since the lockouts started one request apart).
	 */
	private static String sameLockout(HttpResponse<String> response, String clientId) {
		Map<String, List<String>> headers = withoutDate(response);
		headers.remove("Content-Length");
		long retryAfter = Long.parseLong(headers.remove("Retry-After").get(0));
		assertThat(retryAfter).isBetween(WINDOW_SECONDS - 1L, (long) WINDOW_SECONDS);
		return response.statusCode() + " " + headers + " "
				+ response.body().replace("'" + clientId + "'", "'X'").replace(" " + retryAfter + " s", " N s");
	}

	@Test
	void whenClientWasIssuedItsLimitThenItGetsTooManyRequestsInsteadOfATokenAndCallersWithoutItsSecretDoNot()
			throws Exception {
		String admin = token("admin", secretOf("admin"));
		String secret = as(admin)
			.createClient(CreateClientRequest.newBuilder().setClientId("token-hungry").addGrants("discover").build())
			.getClientSecret();

		awaitWindowWithRoom();
		for (int issued = 0; issued < CLIENT_ISSUES; issued++) {
			HttpResponse<String> response = tokenRequest("token-hungry", secret, issued % 2 == 0);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}
		HttpResponse<String> response = tokenRequest("token-hungry", secret, true);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
		long retryAfter = Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
		assertThat(retryAfter).isBetween(1L, (long) WINDOW_SECONDS);
		assertThat(response.body()).isEqualTo("{\"error\":\"too_many_requests\",\"error_description\":\"client "
				+ "'token-hungry' was issued " + CLIENT_ISSUES + " tokens in the current " + WINDOW_SECONDS
				+ " s window; retry in " + retryAfter + " s\"}");
		assertThat(tokenRequest("token-hungry", "not-the-secret", true).statusCode()).isEqualTo(401);
		HttpResponse<String> metrics = get("/actuator/prometheus", basic("admin", ACTUATOR_PASSWORD));
		assertThat(metrics.body()).contains("switchboard_auth_token_issuance_limited_total");
	}

	@Test
	void whenClientIdIsMalformedOrOversizedThenBadRequestWithAReason() throws Exception {
		HttpResponse<String> oversized = tokenRequest("x".repeat(65), "secret", false);
		HttpResponse<String> malformed = tokenRequest("bad id", "secret", true);

		assertThat(oversized.statusCode()).isEqualTo(400);
		assertThat(oversized.body()).contains("client id is longer than 64 characters");
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(malformed.body()).contains("may only hold letters");
	}

	@Test
	void whenKeysRotatedThenOlderTokensStillVerifyAndNewOnesUseTheNewKey() throws Exception {
		String before = token("demo", secretOf("demo"));
		String oldKid = SignedJWT.parse(before).getHeader().getKeyID();

		HttpResponse<String> rotated = this.http.send(HttpRequest.newBuilder(uri("/actuator/authkeys"))
			.header("Authorization", basic("admin", ACTUATOR_PASSWORD))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{}"))
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		String after = token("demo", secretOf("demo"));
		String newKid = SignedJWT.parse(after).getHeader().getKeyID();
		assertThat(newKid).isNotEqualTo(oldKid);
		assertThat(jwks().getKeys()).extracting((key) -> key.getKeyID()).contains(oldKid, newKid);
		assertThat(authorize(before, COMPUTE_CALL)).isEqualTo(Decision.ALLOWED);
		assertThat(authorize(after, COMPUTE_CALL)).isEqualTo(Decision.ALLOWED);
	}

	@Test
	void whenSecretRotatedThenATokenFetchedAtOnceIsValidAndTheOldOneIsNot() throws Exception {
		String admin = token("admin", secretOf("admin"));
		as(admin).createClient(CreateClientRequest.newBuilder().setClientId("rotating").addGrants("discover").build());
		String secret = as(admin).rotateSecret(RotateSecretRequest.newBuilder().setClientId("rotating").build())
			.getClientSecret();
		String old = token("rotating", secret);

		String newSecret = as(admin).rotateSecret(RotateSecretRequest.newBuilder().setClientId("rotating").build())
			.getClientSecret();
		String fresh = token("rotating", newSecret);

		assertThat(authorize(old, "discover")).isEqualTo(Decision.UNAUTHENTICATED);
		assertThat(authorize(fresh, "discover")).isEqualTo(Decision.ALLOWED);
		assertThat(tokenRequest("rotating", secret, true).statusCode()).isEqualTo(401);
	}

	@Test
	void whenActuatorIsAskedThenHealthIsOpenAndTheRestNeedsTheAdminRole() throws Exception {
		assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);
		assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
		assertThat(get("/actuator/authkeys", basic("admin", "wrong")).statusCode()).isEqualTo(401);
		HttpResponse<String> metrics = get("/actuator/prometheus", basic("admin", ACTUATOR_PASSWORD));
		assertThat(metrics.statusCode()).isEqualTo(200);
		assertThat(metrics.body()).contains("switchboard_auth_decisions");
		HttpResponse<String> keys = get("/actuator/authkeys", basic("admin", ACTUATOR_PASSWORD));
		assertThat(keys.statusCode()).isEqualTo(200);
		assertThat(keys.body()).contains("\"active\":true").doesNotContain("private");
		assertThat(get("/anything-else", basic("admin", ACTUATOR_PASSWORD)).statusCode()).isIn(401, 403);
	}

	@Test
	void whenScrapeUserIsConfiguredThenItReadsPrometheusAndNothingElse() throws Exception {
		HttpResponse<String> metrics = get("/actuator/prometheus", basic("prometheus", SCRAPE_PASSWORD));
		assertThat(metrics.statusCode()).isEqualTo(200);
		assertThat(metrics.body()).contains("switchboard_auth_decisions");
		assertThat(get("/actuator/authkeys", basic("prometheus", SCRAPE_PASSWORD)).statusCode()).isEqualTo(403);
		assertThat(get("/actuator/metrics", basic("prometheus", SCRAPE_PASSWORD)).statusCode()).isEqualTo(403);
		assertThat(get("/actuator/prometheus", basic("prometheus", "wrong")).statusCode()).isEqualTo(401);
	}

	@Test
	void whenServerMetadataIsAskedThenItNamesTheIssuerAndTheEndpoints() throws Exception {
		HttpResponse<String> response = get("/.well-known/oauth-authorization-server", null);

		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
		assertThat(metadata).containsEntry("issuer", "http://127.0.0.1:8102")
			.containsEntry("token_endpoint", "http://127.0.0.1:8102/oauth2/token");
		assertThat(List.class.cast(metadata.get("grant_types_supported"))).contains("client_credentials");
	}


}
