package dev.switchboard.registry.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heartbeats while the auth group cannot be reached: an allowed stream keeps renewing, a new one is refused.
 */
class RegistryAuthorizationTests {

	private final String name = "registry-auth-" + System.nanoTime();

	private Server auth;

	private Server registry;

	private ManagedChannel channel;

	private ManagedChannel authChannel;

	private CachingAuthorizer authorizer;

	private Metadata headers;

	private final Answering answering = new Answering();

	@BeforeEach
	void start() throws Exception {
		this.auth = InProcessServerBuilder.forName(this.name + "-auth").directExecutor().addService(this.answering)
			.build()
			.start();
		this.authChannel = InProcessChannelBuilder.forName(this.name + "-auth").directExecutor().build();
		this.authorizer = new CachingAuthorizer(() -> this.authChannel, Duration.ofMinutes(5),
				// a slow auth service would hold a heartbeat this long
				1000, Duration.ofSeconds(30), Clock.systemUTC());
		this.registry = InProcessServerBuilder.forName(this.name)
			.directExecutor()
			.addService(ServerInterceptors.intercept(new Echoing(),
					new RegistryAuthorization(this.authorizer, false, Clock.systemUTC())))
			.build()
			.start();
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer token-of-compute");
		this.channel = InProcessChannelBuilder.forName(this.name).directExecutor().build();
		this.headers = headers;
	}

	@AfterEach
	void stop() {
		this.channel.shutdownNow();
		this.registry.shutdownNow();
		this.auth.shutdownNow();
		this.authorizer.close();
		this.authChannel.shutdownNow();
	}

	@Test
	void whenTheAuthGroupIsLostThenAnAllowedStreamKeepsRenewingButANewOneIsRefused() throws Exception {
		LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
		StreamObserver<HeartbeatRequest> beats = stream(answers);
		beats.onNext(beat());
		assertThat(answers.poll(5, TimeUnit.SECONDS)).isInstanceOf(HeartbeatResponse.class);

		this.auth.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

		beats.onNext(beat());
		assertThat(answers.poll(5, TimeUnit.SECONDS)).as("renewed without auth").isInstanceOf(HeartbeatResponse.class);
		LinkedBlockingQueue<Object> fresh = new LinkedBlockingQueue<>();
		stream(fresh).onNext(beat());
		assertThat(fresh.poll(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Status.class,
				(status) -> assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE));
	}

	@Test
	void whenAnAllowedStreamMustBeCheckedAgainThenASlowAuthServiceDoesNotHoldItsHeartbeatsAndARefusalEndsIt()
			throws Exception {
		LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
		StreamObserver<HeartbeatRequest> beats = stream(answers);
		beats.onNext(beat());
		assertThat(answers.poll(5, TimeUnit.SECONDS)).isInstanceOf(HeartbeatResponse.class);

		// the auth service stops answering for now; nothing is cached (no revocation stream), so each beat asks again
		this.answering.held = new LinkedBlockingQueue<>();
		beats.onNext(beat());
		assertThat(answers.poll(3, TimeUnit.SECONDS)).as("renewed while auth is slow")
			.isInstanceOf(HeartbeatResponse.class);
		StreamObserver<AuthorizeResponse> asked = this.answering.held.poll(5, TimeUnit.SECONDS);
		assertThat(asked).as("asked again in the background").isNotNull();

		// the answer, when it comes, is a refusal: the stream ends at its next message
		asked.onNext(Answering.answer(Decision.PERMISSION_DENIED));
		asked.onCompleted();
		beats.onNext(beat());
		assertThat(answers.poll(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Status.class,
				(status) -> assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
	}

	private StreamObserver<HeartbeatRequest> stream(LinkedBlockingQueue<Object> answers) {
		return RegistryGrpc.newStub(this.channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(this.headers))
			.heartbeat(new StreamObserver<>() {
				@Override
				public void onNext(HeartbeatResponse value) {
					answers.add(value);
				}

				@Override
				public void onError(Throwable t) {
					answers.add(Status.fromThrowable(t));
				}

				@Override
				public void onCompleted() {
					answers.add(Status.OK);
				}
			});
	}

	private static HeartbeatRequest beat() {
		return HeartbeatRequest.newBuilder()
			.setGroup("compute")
			.setInstanceId("compute-1")
			.setStatus(InstanceStatus.UP)
			.build();
	}

	/** Answers every heartbeat. */
	private static final class Echoing extends RegistryGrpc.RegistryImplBase {

		@Override
		public StreamObserver<HeartbeatRequest> heartbeat(StreamObserver<HeartbeatResponse> responses) {
			return new StreamObserver<>() {
				@Override
				public void onNext(HeartbeatRequest value) {
					responses.onNext(HeartbeatResponse.getDefaultInstance());
				}

				@Override
				public void onError(Throwable t) {
				}

				@Override
				public void onCompleted() {
					responses.onCompleted();
				}
			};
		}

	}

	/**
	 * Allows everything for ten minutes, or holds the questions for the test to answer; refuses to push revocations,
	 * so nothing is cached and every check asks.
	 */
	private static final class Answering extends AuthGrpc.AuthImplBase {

		volatile LinkedBlockingQueue<StreamObserver<AuthorizeResponse>> held;

		static AuthorizeResponse answer(Decision decision) {
			return AuthorizeResponse.newBuilder()
				.setDecision(decision)
				.setPrincipal("compute")
				.setTokenId("jti")
				.setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().plusSeconds(600).getEpochSecond()))
				.setReason("told so")
				.build();
		}

		@Override
		public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
			LinkedBlockingQueue<StreamObserver<AuthorizeResponse>> holding = this.held;
			if (holding != null) {
				holding.add(responses);
				return;
			}
			responses.onNext(answer(Decision.ALLOWED));
			responses.onCompleted();
		}

		@Override
		public void watchRevocations(WatchRevocationsRequest request, StreamObserver<Revocation> responses) {
			responses.onError(Status.UNAVAILABLE.asRuntimeException());
		}

	}

}
