package dev.switchboard.router.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.proxy.ForwardingTests.EchoReplica;
import dev.switchboard.router.proxy.ForwardingTests.Exchange;
import dev.switchboard.router.proxy.ForwardingTests.Methods;
import dev.switchboard.router.table.RoutingTableUpdater;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-principal rate limits on the forwarding path: an in-process auth replica allows every token {@code t-<client>}
 * as principal {@code <client>}; the limiter's clock only moves when a test moves it. By default each principal may
 * make 2 calls/s (burst 2), principal {@code vip} 5 calls/s (burst 10).
 */
class RateLimitedForwardingTests {

	private static final long SECOND = 1_000_000_000L;

	private final String prefix = InProcessServerBuilder.generateName();

	private final EchoReplica echo = new EchoReplica("echo-1");

	private final AtomicLong now = new AtomicLong(42 * SECOND);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private Server replica;

	private Server auth;

	private Server router;

	private ManagedChannel caller;

	private ClientConnectionManager manager;

	private CachingAuthorizer authorizer;

	@BeforeEach
	void start() throws Exception {
		this.replica = InProcessServerBuilder.forName(this.prefix + "-echo-1:1")
			.directExecutor()
			.addService(this.echo.definition())
			.build()
			.start();
		this.auth = InProcessServerBuilder.forName(this.prefix + "-auth").directExecutor().addService(new AuthGrpc.AuthImplBase() {
			@Override
			public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
				responses.onNext(AuthorizeResponse.newBuilder()
					.setDecision(Decision.ALLOWED)
					.setPrincipal(request.getToken().substring("t-".length()))
					.setReason("granted")
					.setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().plusSeconds(600).getEpochSecond()))
					.build());
				responses.onCompleted();
			}
		}).build().start();
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build(),
				Clock.systemUTC());
		this.authorizer = new CachingAuthorizer(() -> this.manager.acquire("auth", this.prefix + "-auth").channel(),
				Duration.ofMinutes(5), 1000, Duration.ofSeconds(2), Clock.systemUTC());
	}

	@AfterEach
	void stop() {
		if (this.caller != null) {
			this.caller.shutdownNow();
			this.router.shutdownNow();
		}
		this.authorizer.close();
		this.manager.close();
		this.auth.shutdownNow();
		this.replica.shutdownNow();
	}

	@Test
	void whenAPrincipalIsOverItsLimitThenResourceExhaustedWithTheReasonAndNoReplicaIsCalled() throws Exception {
		limitedRouter();
		assertThat(call("demo").status.isOk()).isTrue();
		assertThat(call("demo").status.isOk()).isTrue();
		Exchange refused = call("demo");
		assertThat(refused.status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(refused.status.getDescription()).isEqualTo("client 'demo' is over its rate limit of 2 calls/s");
		assertThat(refused.messages).isEmpty();
		assertThat(this.echo.started.get()).isEqualTo(2);
		assertThat(this.meters.get("switchboard.router.rate-limited").counter().count()).isEqualTo(1);
		assertThat(this.meters.get("switchboard.router.calls").tag("status", "RESOURCE_EXHAUSTED").timer().count())
			.isEqualTo(1);
	}

	@Test
	void whenAPrincipalHasItsOwnLimitThenItAppliesInsteadOfTheDefault() throws Exception {
		limitedRouter();
		for (int i = 0; i < 10; i++) {
			assertThat(call("vip").status.isOk()).as("call %d", i).isTrue();
		}
		Exchange refused = call("vip");
		assertThat(refused.status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(refused.status.getDescription()).isEqualTo("client 'vip' is over its rate limit of 5 calls/s");
		assertThat(this.echo.started.get()).isEqualTo(10);
	}

	@Test
	void whenOnePrincipalIsOverItsLimitThenAnotherIsNot() throws Exception {
		limitedRouter();
		call("demo");
		call("demo");
		assertThat(call("demo").status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(call("other").status.isOk()).isTrue();
		assertThat(call("other").status.isOk()).isTrue();
		assertThat(call("demo").status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(this.echo.started.get()).isEqualTo(4);
	}

	@Test
	void whenTimePassesThenTheBucketRefillsAtItsRateUpToItsBurst() throws Exception {
		limitedRouter();
		call("demo");
		call("demo");
		assertThat(call("demo").status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		this.now.addAndGet(SECOND / 2 - 1);
		assertThat(call("demo").status.getCode()).as("just before one token is back")
			.isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		this.now.addAndGet(1);
		assertThat(call("demo").status.isOk()).as("one token back after half a second").isTrue();
		assertThat(call("demo").status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		this.now.addAndGet(10 * SECOND);
		assertThat(call("demo").status.isOk()).isTrue();
		assertThat(call("demo").status.isOk()).isTrue();
		assertThat(call("demo").status.getCode()).as("a long pause saves up no more than the burst")
			.isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
	}

	@Test
	void whenACallStreamsManyMessagesThenItCountsAsOneCall() throws Exception {
		limitedRouter();
		Exchange stream = call(Methods.BIDI, "demo", List.of("a", "b", "c", "d", "e"));
		assertThat(stream.messages).hasSize(5);
		assertThat(call("demo").status.isOk()).isTrue();
		assertThat(call(Methods.BIDI, "demo", List.of("f")).status.getCode())
			.isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(this.echo.started.get()).isEqualTo(2);
	}

	@Test
	void whenNoLimiterIsGivenThenNoCallIsLimited() throws Exception {
		startRouter(null);
		for (int i = 0; i < 20; i++) {
			assertThat(call("demo").status.isOk()).as("call %d", i).isTrue();
		}
		assertThat(this.echo.started.get()).isEqualTo(20);
		assertThat(this.meters.find("switchboard.router.rate-limited").counter()).isNull();
	}

	@Test
	void whenPrincipalsComeAndGoThenTheBucketsKeptStayBounded() {
		PrincipalRateLimiter limiter = new PrincipalRateLimiter(new CallRate(2, 2), Map.of(), 10, this.now::get,
				this.meters);
		for (int i = 0; i < 1000; i++) {
			limiter.admit("client-" + i);
		}
		assertThat(limiter.principals()).isLessThanOrEqualTo(10);
		// a bucket idle well past full again is dropped: nothing is lost, as a new one starts full
		this.now.addAndGet(59 * SECOND);
		assertThat(limiter.principals()).isEqualTo(10);
		this.now.addAndGet(2 * SECOND);
		assertThat(limiter.principals()).isZero();
	}

	private void limitedRouter() throws Exception {
		startRouter(new PrincipalRateLimiter(CallRate.perSecond(2), Map.of("vip", CallRate.perSecond(5).withBurst(10)),
				100,
				this.now::get, this.meters));
	}

	private void startRouter(PrincipalRateLimiter limiter) throws Exception {
		ReplicaChannels channels = new ManagedReplicaChannels(this.manager);
		RoutingTableUpdater table = new RoutingTableUpdater((instance) -> new Replica(instance,
				new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10))),
				channels::release);
		Instance instance = Instance.newBuilder()
			.setGroup("echo")
			.setInstanceId("echo-1")
			.setHost(this.prefix + "-echo-1")
			.setPort(1)
			.setWeight(100)
			.setStatus(InstanceStatus.UP)
			.addServices(ForwardingTests.SERVICE)
			.build();
		table.accept(new RegistryView(1, Map.of("echo-1", instance)));
		SplittableRandom random = new SplittableRandom(3);
		ProxyHandlerRegistry proxy = new ProxyHandlerRegistry(table::current, channels,
				new PowerOfTwoChoices(() -> random, System::nanoTime), new RetryBudget(0.2, 10),
				new ProxySettings(3, 64 * 1024), System::nanoTime, this.meters, this.authorizer, false, limiter);
		this.router = InProcessServerBuilder.forName(this.prefix + "-router")
			.directExecutor()
			.fallbackHandlerRegistry(proxy)
			.build()
			.start();
		this.caller = InProcessChannelBuilder.forName(this.prefix + "-router").directExecutor().build();
	}

	private Exchange call(String client) throws Exception {
		return call(Methods.UNARY, client, List.of("ping"));
	}

	private Exchange call(MethodDescriptor<String, String> method, String client, List<String> requests)
			throws Exception {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer t-" + client);
		return Exchange.run(this.caller.newCall(method, CallOptions.DEFAULT), headers, requests);
	}

}
