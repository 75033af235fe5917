package dev.switchboard.auth.grpc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.switchboard.auth.TestTokens;
import dev.switchboard.auth.client.ClientRecord;
import dev.switchboard.auth.client.ClientSecrets;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.database.DatabaseLocks;
import dev.switchboard.auth.database.SqlTime;
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
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Client;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.CreateClientResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.GrantRequest;
import dev.switchboard.auth.v1.ListClientsRequest;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.RevokeTokenRequest;
import dev.switchboard.auth.v1.RotateSecretRequest;
import dev.switchboard.auth.v1.SetClientEnabledRequest;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
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
import static org.awaitility.Awaitility.await;

/**
 * The Auth service in-process on embedded H2: decisions, administration and the revocation stream. Revocations are
 * polled every 200 ms as in production.
 */
class AuthGrpcServiceTests {

	private static final int WATCH_QUEUE_LIMIT = 4;

	private static final String CALL = "call:compute/switchboard.sample.compute.v1.Compute/GetInstance";

	private static TestDatabase database;

	/** Made once: key generation is slow, and every test needs a signing key. */
	private static final SigningKey SIGNING_KEY = SigningKey.generate(Instant.now());

	private final Clock clock = Clock.systemUTC();

	private ScheduledExecutorService scheduler;

	private ClientStore clients;

	private RevocationStore revocations;

	private RevocationHub hub;

	private KeyRing keys;

	private Server server;

	private ManagedChannel channel;

	private AuthGrpc.AuthBlockingStub auth;

	private String adminToken;

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
		RevocationHub hub = new RevocationHub(WATCH_QUEUE_LIMIT, this.revocations.maxSequence(), this.clock);
		this.hub = hub;
		RevocationPoller poller = new RevocationPoller(this.revocations, hub.sequence(), List.of(cache, hub),
				this.clock);
		this.scheduler = Executors.newSingleThreadScheduledExecutor();
		poller.scheduleOn(this.scheduler, 200);
		TokenVerifier verifier = new TokenVerifier(this.keys, TestTokens.ISSUER, this.clock);
		Authorizer authorizer = new Authorizer(verifier, cache, poller, new SimpleMeterRegistry());
		AuthGrpcService service = new AuthGrpcService(authorizer, verifier, this.clients, this.revocations, hub,
				Duration.ofMinutes(15), ServiceExceptionHandler.of("auth"), this.clock);
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.auth = AuthGrpc.newBlockingStub(this.channel);
		this.clients.create("root", "", List.of("admin"));
		this.adminToken = token("root");
	}

	@AfterEach
	void stopServer() {
		this.channel.shutdownNow();
		this.server.shutdownNow();
		this.scheduler.shutdownNow();
	}

	private String token(String clientId) {
		return token(TestTokens.claims(clientId).build());
	}

	private String token(JWTClaimsSet claims) {
		SigningKey key = this.keys.active();
		return TestTokens.sign(key.toSigningJwk(), key.kid(), claims);
	}

	private AuthorizeResponse authorize(String token, String action) {
		return this.auth.authorize(AuthorizeRequest.newBuilder().setToken(token).setAction(action).build());
	}

	private AuthGrpc.AuthBlockingStub as(String token) {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);
		return this.auth.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
	}

	private AuthGrpc.AuthBlockingStub admin() {
		return as(this.adminToken);
	}

	private static void assertStatus(Status.Code code, Runnable call) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::run)
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(code))
			.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isNotBlank().doesNotContain("\n"));
	}

	// Authorize

	@Test
	void whenTokenGrantsTheCallThenAllowedWithPrincipalGrantsExpiryAndTokenId() {
		this.clients.create("caller", "", List.of("call:compute/*", "discover"));
		JWTClaimsSet claims = TestTokens.claims("caller").build();

		AuthorizeResponse answer = authorize(token(claims), CALL);

		assertThat(answer.getDecision()).isEqualTo(Decision.ALLOWED);
		assertThat(answer.getPrincipal()).isEqualTo("caller");
		assertThat(answer.getGrantsList()).containsExactly("call:compute/*", "discover");
		assertThat(answer.getTokenId()).isEqualTo(claims.getJWTID());
		assertThat(answer.getExpiresAt().getSeconds()).isEqualTo(claims.getExpirationTime().getTime() / 1000);
		assertThat(answer.getReason()).isEqualTo("allowed by call:compute/*");
	}

	@Test
	void whenNoGrantAllowsTheActionThenPermissionDenied() {
		this.clients.create("discoverer", "", List.of("discover"));

		AuthorizeResponse answer = authorize(token("discoverer"), CALL);

		assertThat(answer.getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(answer.getPrincipal()).isEqualTo("discoverer");
		assertThat(answer.getReason()).isEqualTo("no grant allows " + CALL);
		assertThat(answer.getGrantsList()).as("a refusal lists no grants").isEmpty();
		assertThat(authorize(token("discoverer"), "discover").getDecision()).isEqualTo(Decision.ALLOWED);
	}

	@Test
	void whenTokenOfGroupACallsGroupBThenPermissionDenied() {
		this.clients.create("compute-caller", "", List.of("call:compute/*"));

		String otherGroup = "call:volume/switchboard.sample.volume.v1.Volume/Get";

		AuthorizeResponse answer = authorize(token("compute-caller"), otherGroup);

		assertThat(answer.getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(answer.getReason()).isEqualTo("no grant allows " + otherGroup);
	}

	@Test
	void whenGrantNamesAMethodGlobThenOnlyMatchingMethodsAreAllowed() {
		this.clients.create("getter", "", List.of("call:compute/switchboard.sample.compute.v1.Compute/Get*"));
		String token = token("getter");

		assertThat(authorize(token, CALL).getDecision()).isEqualTo(Decision.ALLOWED);
		assertThat(authorize(token, "call:compute/switchboard.sample.compute.v1.Compute/DeleteInstance").getDecision())
			.isEqualTo(Decision.PERMISSION_DENIED);
	}

	@Test
	void whenRegisterGrantIsForAnyGroupThenEveryGroupButThePlatformsOwnMayRegister() {
		this.clients.create("platform", "", List.of("register:*"));

		assertThat(authorize(token("platform"), "register:volume").getDecision()).isEqualTo(Decision.ALLOWED);
		assertThat(authorize(token("platform"), "register:auth").getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(authorize(token("platform"), "admin").getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
	}

	static Stream<Arguments> refusedTokens() {
		return Stream.of(Arguments.of("empty", (TokenMaker) (test) -> "", "no token"),
				Arguments.of("malformed", (TokenMaker) (test) -> "not.a.jwt", "malformed token"),
				Arguments.of("unsigned", (TokenMaker) (test) -> new com.nimbusds.jwt.PlainJWT(
						TestTokens.claims("caller").build()).serialize(), "malformed token"),
				Arguments.of("oversized", (TokenMaker) (test) -> test.token(TestTokens.claims("caller")
					.claim("padding", "x".repeat(9000))
					.build()), "token is larger than 8 KiB"),
				Arguments.of("forged signature", (TokenMaker) (test) -> TestTokens.sign(TestTokens.foreignKey(),
						test.keys.active().kid(), TestTokens.claims("caller").build()), "signature does not verify"),
				Arguments.of("wrong kid", (TokenMaker) (test) -> TestTokens.sign(test.keys.active().toSigningJwk(),
						"nope", TestTokens.claims("caller").build()), "unknown key id 'nope'"),
				Arguments.of("expired", (TokenMaker) (test) -> test.token(TestTokens.claims("caller")
					.issueTime(Date.from(Instant.now().minusSeconds(1000)))
					.expirationTime(Date.from(Instant.now().minusSeconds(100)))
					.build()), "token expired"),
				Arguments.of("other issuer", (TokenMaker) (test) -> test.token(TestTokens.claims("caller")
					.issuer("http://evil.example")
					.build()), "token was issued by 'http://evil.example', not by this auth service"),
				Arguments.of("no jti", (TokenMaker) (test) -> test.token(TestTokens.claims("caller")
					.jwtID(null)
					.build()), "malformed token: jti, sub, iat and exp are required"),
				Arguments.of("unknown client", (TokenMaker) (test) -> test.token("ghost"),
						"client 'ghost' does not exist"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedTokens")
	void whenTokenIsNotValidThenUnauthenticatedWithTheReason(String name, TokenMaker maker, String reason) {
		this.clients.create("caller", "", List.of("call:*/*"));

		AuthorizeResponse answer = authorize(maker.make(this), CALL);

		assertThat(answer.getDecision()).isEqualTo(Decision.UNAUTHENTICATED);
		assertThat(answer.getReason()).isEqualTo(reason);
		assertThat(answer.getPrincipal()).isEmpty();
	}

	@Test
	void whenTokenRevokedThenUnauthenticatedAtOnce() {
		this.clients.create("caller", "", List.of("call:*/*"));
		String token = token("caller");
		assertThat(authorize(token, CALL).getDecision()).isEqualTo(Decision.ALLOWED);

		String tokenId = admin().revokeToken(RevokeTokenRequest.newBuilder().setToken(token).build()).getTokenId();

		AuthorizeResponse answer = authorize(token, CALL);
		assertThat(answer.getDecision()).isEqualTo(Decision.UNAUTHENTICATED);
		assertThat(answer.getReason()).isEqualTo("token revoked");
		assertThat(answer.getTokenId()).isEqualTo(tokenId);
		assertThat(authorize(token("caller"), CALL).getDecision()).isEqualTo(Decision.ALLOWED);
	}

	@Test
	void whenClientDisabledThenItsTokensAreRefusedAndStayRefusedAfterReenabling() {
		this.clients.create("caller", "", List.of("call:*/*"));
		String token = token("caller");
		assertThat(authorize(token, CALL).getDecision()).isEqualTo(Decision.ALLOWED);

		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("caller").setEnabled(false).build());

		assertThat(authorize(token, CALL).getReason()).isEqualTo("client 'caller' is disabled");
		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("caller").setEnabled(true).build());
		assertThat(authorize(token, CALL).getReason())
			.isEqualTo("token was issued before the tokens of client 'caller' were revoked");
	}

	@Test
	void whenGrantRemovedThenDecisionsFollowTheCurrentGrantsAndOldTokensDie() {
		this.clients.create("caller", "", List.of("call:compute/*", "discover"));
		String token = token("caller");

		admin().removeGrant(GrantRequest.newBuilder().setClientId("caller").setGrant("call:compute/*").build());

		assertThat(authorize(token, "discover").getDecision()).isEqualTo(Decision.UNAUTHENTICATED);
		JWTClaimsSet fresh = TestTokens.claims("caller")
			.issueTime(Date.from(this.clients.find("caller").orElseThrow().tokensNotBefore()))
			.build();
		assertThat(authorize(token(fresh), CALL).getDecision()).isEqualTo(Decision.PERMISSION_DENIED);
		assertThat(authorize(token(fresh), "discover").getDecision()).isEqualTo(Decision.ALLOWED);
	}

	@Test
	void whenGrantAddedOnAnotherReplicaThenTheNextDecisionSeesIt() {
		this.clients.create("caller", "", List.of("discover"));
		String token = token("caller");
		assertThat(authorize(token, CALL).getDecision()).isEqualTo(Decision.PERMISSION_DENIED);

		ClientStore otherReplica = new ClientStore(database.jdbc(), database.transactions(),
				new RevocationStore(database.jdbc(), database.transactions(), this.clock), this.clock);
		otherReplica.addGrant("caller", "call:compute/*");

		assertThat(authorize(token, CALL).getDecision()).isEqualTo(Decision.ALLOWED);
	}

	@Test
	void whenActionIsMalformedThenInvalidArgument() {
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> authorize(this.adminToken, "call:compute"));
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> authorize(this.adminToken, ""));
	}

	// administration

	static Stream<Arguments> adminCalls() {
		return Stream.of(
				Arguments.of("CreateClient",
						(AdminCall) (stub) -> stub
							.createClient(CreateClientRequest.newBuilder().setClientId("x").build())),
				Arguments.of("ListClients",
						(AdminCall) (stub) -> stub.listClients(ListClientsRequest.getDefaultInstance())),
				Arguments.of("SetClientEnabled",
						(AdminCall) (stub) -> stub.setClientEnabled(
								SetClientEnabledRequest.newBuilder().setClientId("root").setEnabled(false).build())),
				Arguments.of("AddGrant",
						(AdminCall) (stub) -> stub
							.addGrant(GrantRequest.newBuilder().setClientId("root").setGrant("discover").build())),
				Arguments.of("RemoveGrant",
						(AdminCall) (stub) -> stub
							.removeGrant(GrantRequest.newBuilder().setClientId("root").setGrant("admin").build())),
				Arguments.of("RotateSecret",
						(AdminCall) (stub) -> stub
							.rotateSecret(RotateSecretRequest.newBuilder().setClientId("root").build())),
				Arguments.of("RevokeToken",
						(AdminCall) (stub) -> stub
							.revokeToken(RevokeTokenRequest.newBuilder().setTokenId("j").build())));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("adminCalls")
	void whenAdminCallHasNoTokenThenUnauthenticated(String name, AdminCall call) {
		assertStatus(Status.Code.UNAUTHENTICATED, () -> call.call(this.auth));
		assertStatus(Status.Code.UNAUTHENTICATED, () -> call.call(as("garbage")));
		assertThat(this.clients.find("root").orElseThrow().grants()).containsExactly("admin");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("adminCalls")
	void whenAdminCallTokenLacksTheAdminGrantThenPermissionDenied(String name, AdminCall call) {
		this.clients.create("worker", "", List.of("call:*/*", "register:*", "discover"));

		assertStatus(Status.Code.PERMISSION_DENIED, () -> call.call(as(token("worker"))));
		assertThat(this.clients.find("root").orElseThrow().enabled()).isTrue();
	}

	@Test
	void whenAdminCreatesAClientThenTheSecretIsReturnedOnceAndOnlyItsHashIsStored() {
		CreateClientResponse created = admin().createClient(CreateClientRequest.newBuilder()
			.setClientId("svc-new")
			.setDescription("new service")
			.addGrants("discover")
			.build());

		assertThat(created.getClient().getClientId()).isEqualTo("svc-new");
		assertThat(created.getClient().getEnabled()).isTrue();
		assertThat(created.getClient().getGrantsList()).containsExactly("discover");
		assertThat(created.getClientSecret()).hasSizeGreaterThanOrEqualTo(40);
		ClientRecord stored = this.clients.find("svc-new").orElseThrow();
		assertThat(stored.secretHash()).doesNotContain(created.getClientSecret());
		assertThat(ClientSecrets.matches(created.getClientSecret(), stored.secretHash())).isTrue();
		assertThat(database.jdbc().queryForList("SELECT * FROM clients").toString())
			.doesNotContain(created.getClientSecret());
		assertThat(admin().listClients(ListClientsRequest.getDefaultInstance()).getClientsList())
			.extracting(Client::getClientId)
			.containsExactly("root", "svc-new");
	}

	@Test
	void whenAdminRequestIsWrongThenInvalidArgumentNotFoundOrAlreadyExists() {
		assertStatus(Status.Code.INVALID_ARGUMENT,
				() -> admin().createClient(CreateClientRequest.newBuilder().setClientId("bad/id").build()));
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> admin()
			.createClient(CreateClientRequest.newBuilder().setClientId("ok").addGrants("everything").build()));
		assertStatus(Status.Code.ALREADY_EXISTS,
				() -> admin().createClient(CreateClientRequest.newBuilder().setClientId("root").build()));
		assertStatus(Status.Code.NOT_FOUND, () -> admin()
			.setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("nobody").setEnabled(false).build()));
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> admin()
			.addGrant(GrantRequest.newBuilder().setClientId("root").setGrant("call:Compute/*").build()));
		assertStatus(Status.Code.NOT_FOUND, () -> admin()
			.removeGrant(GrantRequest.newBuilder().setClientId("root").setGrant("discover").build()));
		assertStatus(Status.Code.NOT_FOUND,
				() -> admin().rotateSecret(RotateSecretRequest.newBuilder().setClientId("nobody").build()));
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> admin().revokeToken(RevokeTokenRequest.getDefaultInstance()));
		assertStatus(Status.Code.INVALID_ARGUMENT, () -> admin().revokeToken(RevokeTokenRequest.newBuilder()
			.setToken(TestTokens.sign(TestTokens.foreignKey(), this.keys.active().kid(),
					TestTokens.claims("root").build()))
			.build()));
		assertThat(this.clients.list()).extracting(ClientRecord::clientId).containsExactly("root");
	}

	@Test
	void whenAdminGrantsAndRotatesThenTheClientChanges() {
		this.clients.create("svc", "", List.of());
		String before = this.clients.find("svc").orElseThrow().secretHash();

		Client granted = admin()
			.addGrant(GrantRequest.newBuilder().setClientId("svc").setGrant("register:svc").build());
		String secret = admin().rotateSecret(RotateSecretRequest.newBuilder().setClientId("svc").build())
			.getClientSecret();

		assertThat(granted.getGrantsList()).containsExactly("register:svc");
		String after = this.clients.find("svc").orElseThrow().secretHash();
		assertThat(after).isNotEqualTo(before);
		assertThat(ClientSecrets.matches(secret, after)).isTrue();
	}

	@Test
	void whenTokenRevokedByIdThenTheRevocationOutlivesAnyToken() {
		String tokenId = admin().revokeToken(RevokeTokenRequest.newBuilder().setTokenId("some-jti").build())
			.getTokenId();

		assertThat(tokenId).isEqualTo("some-jti");
		Instant expires = database.jdbc()
			.queryForObject("SELECT expires_at FROM revocations WHERE token_id = 'some-jti'",
					(row, n) -> SqlTime.read(row, "expires_at"));
		assertThat(expires).isAfter(Instant.now().plus(Duration.ofMinutes(15)));
	}

	@Test
	void whenAdminClientIsDisabledThenItsTokenNoLongerAdministers() {
		this.clients.create("root2", "", List.of("admin"));
		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("root").setEnabled(false).build());

		assertStatus(Status.Code.UNAUTHENTICATED, () -> admin().listClients(ListClientsRequest.getDefaultInstance()));
		assertThat(as(token("root2")).listClients(ListClientsRequest.getDefaultInstance()).getClientsCount())
			.isEqualTo(2);
	}

	// WatchRevocations

	/** Waits until the poller has handed every revocation in the store to the hub. */
	private void awaitPolled() {
		await().atMost(Duration.ofSeconds(10)).until(() -> this.hub.sequence() == this.revocations.maxSequence());
	}

	private Watcher watch(int initialRequests) {
		Watcher watcher = new Watcher(initialRequests);
		AuthGrpc.newStub(this.channel).watchRevocations(WatchRevocationsRequest.getDefaultInstance(), watcher);
		return watcher;
	}

	@Test
	void whenWatchStartsThenTheFirstEventCarriesTheCurrentSequenceAndNoSubject() throws Exception {
		this.revocations.revokeToken("before", Instant.now().plusSeconds(60));
		awaitPolled();

		Revocation first = watch(100).next();

		assertThat(first.getSequence()).isEqualTo(1);
		assertThat(first.getSubjectCase()).isEqualTo(Revocation.SubjectCase.SUBJECT_NOT_SET);
	}

	@Test
	void whenAWatchResumesAfterASequenceThenItGetsThatSequenceAndEveryEventSince() throws Exception {
		this.revocations.revokeToken("seen-before", Instant.now().plusSeconds(60));
		awaitPolled();
		Watcher first = watch(100);
		long seen = first.next().getSequence();
		assertThat(seen).isPositive();
		admin().revokeToken(RevokeTokenRequest.newBuilder().setTokenId("missed-1").build());
		admin().revokeToken(RevokeTokenRequest.newBuilder().setTokenId("missed-2").build());

		Watcher resumed = new Watcher(100);
		AuthGrpc.newStub(this.channel)
			.watchRevocations(WatchRevocationsRequest.newBuilder().setAfterSequence(seen).build(), resumed);

		Revocation opening = resumed.next();
		assertThat(opening.getSubjectCase()).isEqualTo(Revocation.SubjectCase.SUBJECT_NOT_SET);
		assertThat(opening.getSequence()).isEqualTo(seen);
		List<String> missed = new ArrayList<>();
		while (missed.size() < 2) {
			Revocation next = resumed.next();
			if (!missed.contains(next.getTokenId())) {
				missed.add(next.getTokenId());
			}
		}
		assertThat(missed).containsExactly("missed-1", "missed-2");
	}

	@Test
	void whenAWatchAsksToResumeFromBeforeTheKeptEventsThenItStartsAfreshAtTheCurrentSequence() throws Exception {
		admin().revokeToken(RevokeTokenRequest.newBuilder().setTokenId("kept").build());
		awaitPolled();
		long current = this.revocations.maxSequence();
		// sequence 0 of a caller is "start fresh"; one far ahead of the events kept cannot be resumed either
		Watcher afresh = new Watcher(100);
		AuthGrpc.newStub(this.channel)
			.watchRevocations(WatchRevocationsRequest.newBuilder().setAfterSequence(current + 1000).build(), afresh);
		Revocation opening = afresh.next();
		assertThat(opening.getSequence()).isEqualTo(current);
	}

	@Test
	void whenTokenRevokedThroughTheAdminApiThenWatchersHearWithinASecond() throws Exception {
		Watcher watcher = watch(100);
		long start = watcher.next().getSequence();
		this.clients.create("caller", "", List.of("discover"));

		long revokedAt = System.nanoTime();
		admin().revokeToken(RevokeTokenRequest.newBuilder().setTokenId("jti-42").build());
		admin().setClientEnabled(SetClientEnabledRequest.newBuilder().setClientId("caller").setEnabled(false).build());

		Revocation token = watcher.next();
		Revocation client = watcher.next();
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt)).isLessThan(1000);
		assertThat(token.getTokenId()).isEqualTo("jti-42");
		assertThat(token.getSequence()).isEqualTo(start + 1);
		assertThat(client.getClientId()).isEqualTo("caller");
		assertThat(client.getSequence()).isEqualTo(start + 2);
	}

	@Test
	void whenAnotherReplicaWritesARevocationThenWatchersHearWithinASecond() throws Exception {
		Watcher watcher = watch(100);
		long start = watcher.next().getSequence();

		long insertedAt = System.nanoTime();
		database.jdbc()
			.update("INSERT INTO revocation_events (sequence, token_id, client_id, revoked_at) VALUES (?, ?, ?, ?)",
					start + 1, "from-elsewhere", null, SqlTime.of(Instant.now()));

		Revocation revocation = watcher.next();
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - insertedAt)).isLessThan(1000);
		assertThat(revocation.getTokenId()).isEqualTo("from-elsewhere");
		assertThat(revocation.getSequence()).isEqualTo(start + 1);
	}

	@Test
	void whenWatcherFallsBehindThenItIsToldToDropEveryCachedDecision() throws Exception {
		Watcher slow = watch(1);
		Watcher fast = watch(100);
		assertThat(slow.next().getSubjectCase()).isEqualTo(Revocation.SubjectCase.SUBJECT_NOT_SET);
		fast.next();

		int revoked = WATCH_QUEUE_LIMIT + 3;
		for (int i = 0; i < revoked; i++) {
			this.revocations.revokeToken("burst-" + i, Instant.now().plusSeconds(60));
		}
		for (int i = 0; i < revoked; i++) {
			assertThat(fast.next().getTokenId()).isEqualTo("burst-" + i);
		}
		slow.request(100);

		Revocation reset = slow.next();
		assertThat(reset.getClientId()).isEqualTo("*");
		assertThat(reset.getSequence()).isEqualTo(WATCH_QUEUE_LIMIT + 1);
		for (int i = WATCH_QUEUE_LIMIT + 1; i < revoked; i++) {
			assertThat(slow.next().getTokenId()).isEqualTo("burst-" + i);
		}
		assertThat(slow.received).isEmpty();
	}

	@FunctionalInterface
	interface TokenMaker {

		String make(AuthGrpcServiceTests test);

	}

	@FunctionalInterface
	interface AdminCall {

		Object call(AuthGrpc.AuthBlockingStub stub);

	}

	/** A WatchRevocations client that requests messages by hand. */
	static final class Watcher implements ClientResponseObserver<WatchRevocationsRequest, Revocation> {

		final BlockingQueue<Revocation> received = new LinkedBlockingQueue<>();

		private final int initialRequests;

		private ClientCallStreamObserver<WatchRevocationsRequest> call;

		Watcher(int initialRequests) {
			this.initialRequests = initialRequests;
		}

		@Override
		public void beforeStart(ClientCallStreamObserver<WatchRevocationsRequest> call) {
			this.call = call;
			call.disableAutoRequestWithInitial(this.initialRequests);
		}

		void request(int count) {
			this.call.request(count);
		}

		Revocation next() throws InterruptedException {
			Revocation next = this.received.poll(2, TimeUnit.SECONDS);
			assertThat(next).as("a revocation within 2 s").isNotNull();
			return next;
		}

		@Override
		public void onNext(Revocation revocation) {
			this.received.add(revocation);
		}

		@Override
		public void onError(Throwable error) {
		}

		@Override
		public void onCompleted() {
		}

	}

}
