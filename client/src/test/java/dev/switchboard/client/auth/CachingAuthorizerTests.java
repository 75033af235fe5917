package dev.switchboard.client.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.connection.AddressList;
import dev.switchboard.client.connection.AddressListNameResolverProvider;
import dev.switchboard.client.grpc.Backoff;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.inprocess.InProcessSocketAddress;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The authorizer against in-process replicas of the Auth service that answer as told and count the questions.
 */
class CachingAuthorizerTests {

	private final List<Server> servers = new ArrayList<>();

	private final List<FakeAuth> replicas = new ArrayList<>();

	private final List<ManagedChannel> channels = new ArrayList<>();

	private final List<AddressList> lists = new ArrayList<>();

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private CachingAuthorizer authorizer;

	@AfterEach
	void stop() {
		if (this.authorizer != null) {
			this.authorizer.close();
		}
		this.scheduler.shutdownNow();
		this.channels.forEach(ManagedChannel::shutdownNow);
		this.lists.forEach(AddressList::close);
		this.servers.forEach(Server::shutdownNow);
	}

	@Test
	void whenAskedTwiceThenTheAuthServiceIsAskedOnce() throws Exception {
		FakeAuth auth = replica("a");
		this.authorizer = authorizer(List.of("a"));
		awaitRevocationStream(auth);
		auth.asked.set(0);
		AuthDecision first = this.authorizer.authorizeBlocking("t1", Action.call("compute", "x.S/M"));
		AuthDecision second = this.authorizer.authorizeBlocking("t1", Action.call("compute", "x.S/M"));
		assertThat(first.allowed()).isTrue();
		assertThat(second).isEqualTo(first);
		assertThat(auth.asked.get()).isEqualTo(1);
		assertThat(this.authorizer.cached("t1", Action.call("compute", "x.S/M"))).isEqualTo(first);
		// another action of the same token is a new question
		this.authorizer.authorizeBlocking("t1", Action.call("volume", "x.V/M"));
		assertThat(auth.asked.get()).isEqualTo(2);
	}

	@Test
	void whenTokenAlreadyExpiredThenNothingIsRemembered() throws Exception {
		FakeAuth auth = replica("a");
		auth.expiresAt = Instant.now().minusSeconds(1);
		this.authorizer = authorizer(List.of("a"));
		this.authorizer.authorizeBlocking("t1", Action.discover());
		assertThat(this.authorizer.cached("t1", Action.discover())).isNull();
	}

	@Test
	void whenRefusedThenStatusSaysWhy() throws Exception {
		FakeAuth auth = replica("a");
		auth.decision = Decision.PERMISSION_DENIED;
		this.authorizer = authorizer(List.of("a"));
		AuthDecision decision = this.authorizer.authorizeBlocking("t1", Action.call("compute", "x.S/M"));
		assertThat(decision.toStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		assertThat(decision.toStatus().getDescription()).isEqualTo("told so");
	}

	@Test
	void whenFirstReplicaIsDownThenTheNextIsAsked() throws Exception {
		replica("b");
		this.authorizer = authorizer(List.of("missing", "b"));
		for (int i = 0; i < 4; i++) {
			assertThat(this.authorizer.authorizeBlocking("t" + i, Action.discover()).allowed()).isTrue();
		}
	}

	@Test
	void whenTheListOfReplicasChangesThenQuestionsGoToTheReplicasListedNow() throws Exception {
		FakeAuth first = replica("a");
		FakeAuth second = replica("b");
		AddressList list = CachingAuthorizer.publishReplicas(List.of("a"));
		this.lists.add(list);
		this.authorizer = authorizer(list, Duration.ofSeconds(5));
		awaitRevocationStream(first);
		// b joins the group (the registry lists it), a leaves it
		list.set(List.of("a", "b"));
		await().until(() -> {
			this.authorizer.authorizeBlocking("t-" + System.nanoTime(), Action.discover());
			return second.asked.get() > 0;
		});
		list.set(List.of("b"));
		int askedOfFirst = await().until(first.asked::get, (asked) -> {
			this.authorizer.authorizeBlocking("u-" + System.nanoTime(), Action.discover());
			return first.asked.get() == asked;
		});
		for (int i = 0; i < 5; i++) {
			assertThat(this.authorizer.authorizeBlocking("v" + i, Action.discover()).allowed()).isTrue();
		}
		assertThat(first.asked.get()).as("a is no longer asked").isEqualTo(askedOfFirst);
	}

	@Test
	void whenNoReplicaAnswersThenUndecidedAndUnavailable() {
		this.authorizer = authorizer(List.of("missing-1", "missing-2"));
		AuthDecision decision = this.authorizer.authorizeBlocking("t1", Action.discover());
		assertThat(decision.allowed()).isFalse();
		assertThat(decision.toStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(this.authorizer.cached("t1", Action.discover())).isNull();
	}

	@Test
	void whenTokenOrClientRevokedThenItsDecisionsAreDroppedAtOnce() throws Exception {
		FakeAuth auth = replica("a");
		this.authorizer = authorizer(List.of("a"));
		awaitRevocationStream(auth);
		auth.principal = "client-a";
		auth.tokenId = "jti-1";
		this.authorizer.authorizeBlocking("t1", Action.discover());
		auth.principal = "client-b";
		auth.tokenId = "jti-2";
		this.authorizer.authorizeBlocking("t2", Action.discover());
		auth.watcher.get().onNext(Revocation.newBuilder().setSequence(2).setTokenId("jti-1").build());
		await().until(() -> this.authorizer.cached("t1", Action.discover()) == null);
		assertThat(this.authorizer.cached("t2", Action.discover())).isNotNull();
		auth.watcher.get().onNext(Revocation.newBuilder().setSequence(3).setClientId("client-b").build());
		await().until(() -> this.authorizer.cached("t2", Action.discover()) == null);
	}

	@Test
	void whenRevocationStreamIsDownThenNothingIsRemembered() throws Exception {
		FakeAuth auth = replica("a");
		auth.refuseWatch = true;
		this.authorizer = authorizer(List.of("a"));
		assertThat(this.authorizer.authorizeBlocking("t1", Action.discover()).allowed()).isTrue();
		this.authorizer.authorizeBlocking("t1", Action.discover());
		assertThat(this.authorizer.cached("t1", Action.discover())).isNull();
		assertThat(auth.asked.get()).isEqualTo(2);
	}

	@Test
	void whenTheRevocationStreamMovesToAReplicaThatResumesThenCachedDecisionsKeepServing() throws Exception {
		FakeAuth first = replica("a");
		FakeAuth second = replica("b");
		second.canResume = true;
		this.authorizer = authorizer(List.of("a", "b"), Duration.ofMinutes(1));
		awaitRevocationStream(first, second);
		this.authorizer.authorizeBlocking("t1", Action.discover());
		FakeAuth streaming = (first.watcher.get() != null) ? first : second;
		streaming.watcher.get().onNext(Revocation.newBuilder().setSequence(7).setTokenId("other-jti").build());
		int asked = first.asked.get() + second.asked.get();
		// the replica streaming dies; only the other can take the stream, and it resumes after sequence 7
		FakeAuth other = (streaming == first) ? second : first;
		other.canResume = true;
		streaming.refuseWatch = true;
		other.watcher.set(null);
		streaming.watcher.get().onError(Status.UNAVAILABLE.asRuntimeException());
		await().until(() -> other.watcher.get() != null);
		assertThat(other.resumedAfter.get()).isEqualTo(7);
		assertThat(this.authorizer.cached("t1", Action.discover())).isNotNull();
		assertThat(this.authorizer.authorizeBlocking("t1", Action.discover()).allowed()).isTrue();
		assertThat(first.asked.get() + second.asked.get()).as("answered from the cache").isEqualTo(asked);
	}

	@Test
	void whenNoReplicaResumesWithinTheGraceThenEveryDecisionIsDropped() throws Exception {
		FakeAuth auth = replica("a");
		this.authorizer = authorizer(List.of("a"), Duration.ofMillis(300));
		awaitRevocationStream(auth);
		this.authorizer.authorizeBlocking("t1", Action.discover());
		auth.refuseWatch = true;
		auth.watcher.get().onError(Status.UNAVAILABLE.asRuntimeException());
		// kept while the stream may still resume, dropped when it did not
		assertThat(this.authorizer.cached("t1", Action.discover())).isNotNull();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.authorizer.cached("t1", Action.discover()) == null);
	}

	@Test
	void whenTheReplicaThatAnswersCannotResumeThenEveryDecisionIsDropped() throws Exception {
		FakeAuth auth = replica("a");
		this.authorizer = authorizer(List.of("a"), Duration.ofMinutes(1));
		awaitRevocationStream(auth);
		this.authorizer.authorizeBlocking("t1", Action.discover());
		auth.current = 50; // its events since the client's last are gone: it opens afresh, at its own sequence
		auth.watcher.getAndSet(null).onError(Status.UNAVAILABLE.asRuntimeException());
		await().until(() -> auth.watcher.get() != null);
		await().until(() -> this.authorizer.cached("t1", Action.discover()) == null);
	}

	@Test
	void whenNothingWasEverRevokedThenAStreamReopeningAtSequenceZeroKeepsTheDecisions() throws Exception {
		FakeAuth auth = replica("a");
		auth.current = 0;
		this.authorizer = authorizer(List.of("a"), Duration.ofMinutes(1));
		awaitRevocationStream(auth);
		this.authorizer.authorizeBlocking("t1", Action.discover());
		auth.watcher.getAndSet(null).onError(Status.UNAVAILABLE.asRuntimeException());
		await().until(() -> auth.watcher.get() != null);
		assertThat(this.authorizer.cached("t1", Action.discover())).as("nothing can have been missed").isNotNull();
		// while once something was revoked meanwhile, the opening sequence says so
		auth.current = 1;
		auth.watcher.getAndSet(null).onError(Status.UNAVAILABLE.asRuntimeException());
		await().until(() -> this.authorizer.cached("t1", Action.discover()) == null);
	}

	@Test
	void whenADecisionIsPastMaxAgeAndNoReplicaAnswersThenOnlyAnAllowedOneServesUntilItsTokenExpires()
			throws Exception {
		FakeAuth auth = replica("a");
		AddressList list = CachingAuthorizer.publishReplicas(List.of("a"));
		this.lists.add(list);
		this.authorizer = new CachingAuthorizer(channelOver(list), Duration.ofMillis(200), 1000,
				Duration.ofSeconds(2), Duration.ofMinutes(1), Clock.systemUTC());
		this.authorizer.watchRevocations(this.scheduler,
				new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new SplittableRandom(1)));
		awaitRevocationStream(auth);
		assertThat(this.authorizer.authorizeBlocking("allowed", Action.discover()).allowed()).isTrue();
		auth.decision = Decision.PERMISSION_DENIED;
		assertThat(this.authorizer.authorizeBlocking("denied", Action.discover()).allowed()).isFalse();
		auth.expiresAt = Instant.now().plusMillis(1500);
		auth.decision = Decision.ALLOWED;
		assertThat(this.authorizer.authorizeBlocking("expiring", Action.discover()).allowed()).isTrue();
		await().until(() -> this.authorizer.cached("allowed", Action.discover()) == null);

		// every auth replica gone
		this.servers.forEach(Server::shutdownNow);
		assertThat(this.authorizer.authorizeBlocking("allowed", Action.discover()).allowed()).isTrue();
		assertThat(this.authorizer.authorizeBlocking("denied", Action.discover()).toStatus().getCode())
			.isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(this.authorizer.authorizeBlocking("unknown", Action.discover()).toStatus().getCode())
			.isEqualTo(Status.Code.UNAVAILABLE);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.authorizer.authorizeBlocking("expiring", Action.discover()).toStatus().getCode()
					== Status.Code.UNAVAILABLE);
	}

	@Test
	void whenBearerHeaderMalformedThenNoToken() {
		assertThat(AuthDecision.bearerToken(null)).isNull();
		assertThat(AuthDecision.bearerToken("Basic abc")).isNull();
		assertThat(AuthDecision.bearerToken("Bearer ")).isNull();
		assertThat(AuthDecision.bearerToken("bearer abc.def")).isEqualTo("abc.def");
	}

	private CachingAuthorizer authorizer(List<String> targets) {
		return authorizer(targets, Duration.ofSeconds(5));
	}

	private CachingAuthorizer authorizer(List<String> targets, Duration resumeGrace) {
		AddressList list = CachingAuthorizer.publishReplicas(targets);
		this.lists.add(list);
		return authorizer(list, resumeGrace);
	}

	private CachingAuthorizer authorizer(AddressList replicas, Duration resumeGrace) {
		CachingAuthorizer created = new CachingAuthorizer(channelOver(replicas), Duration.ofMinutes(5), 1000,
				Duration.ofSeconds(2), resumeGrace, Clock.systemUTC());
		created.watchRevocations(this.scheduler,
				new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new SplittableRandom(1)));
		return created;
	}

	/** One channel over the named in-process replicas, as the router and registry have over the auth group's. */
	private Supplier<Channel> channelOver(AddressList replicas) {
		ManagedChannel channel = InProcessChannelBuilder.forTarget(replicas.target())
			.nameResolverFactory(new AddressListNameResolverProvider(InProcessSocketAddress.class,
					(name) -> List.of(new InProcessSocketAddress(name))))
			.directExecutor()
			.build();
		this.channels.add(channel);
		return () -> channel;
	}

	private void awaitRevocationStream(FakeAuth... auths) {
		await().until(() -> java.util.Arrays.stream(auths).anyMatch((auth) -> auth.watcher.get() != null));
		await().until(() -> {
			this.authorizer.authorizeBlocking("probe", Action.discover());
			return this.authorizer.cached("probe", Action.discover()) != null;
		});
	}

	private FakeAuth replica(String name) throws Exception {
		FakeAuth auth = new FakeAuth();
		this.replicas.add(auth);
		this.servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(auth).build().start());
		return auth;
	}

	/** Answers every question with the configured decision and counts them. */
	static final class FakeAuth extends AuthGrpc.AuthImplBase {

		final AtomicInteger asked = new AtomicInteger();

		final AtomicReference<StreamObserver<Revocation>> watcher = new AtomicReference<>();

		volatile Decision decision = Decision.ALLOWED;

		volatile Instant expiresAt = Instant.now().plusSeconds(600);

		volatile String principal = "client";

		volatile String tokenId = "jti";

		volatile boolean refuseWatch;

		/** Whether a stream asking to resume is resumed (else it opens at {@link #current}). */
		volatile boolean canResume;

		volatile long current = 1;

		final AtomicLong resumedAfter = new AtomicLong(-1);

		@Override
		public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
			this.asked.incrementAndGet();
			responses.onNext(AuthorizeResponse.newBuilder()
				.setDecision(this.decision)
				.setPrincipal(this.principal)
				.setTokenId(this.tokenId)
				.setReason("told so")
				.setExpiresAt(Timestamp.newBuilder().setSeconds(this.expiresAt.getEpochSecond()))
				.build());
			responses.onCompleted();
		}

		@Override
		public void watchRevocations(WatchRevocationsRequest request, StreamObserver<Revocation> responses) {
			if (this.refuseWatch) {
				responses.onError(Status.UNAVAILABLE.asRuntimeException());
				return;
			}
			long after = request.getAfterSequence();
			if (this.canResume && after > 0) {
				this.resumedAfter.set(after);
				responses.onNext(Revocation.newBuilder().setSequence(after).build());
			}
			else {
				responses.onNext(Revocation.newBuilder().setSequence(this.current).build());
			}
			this.watcher.set(responses);
		}

	}

}
