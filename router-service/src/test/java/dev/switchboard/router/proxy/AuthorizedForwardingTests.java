package dev.switchboard.router.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.google.protobuf.Timestamp;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.api.RouterGrpcService;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.proxy.ForwardingTests.EchoReplica;
import dev.switchboard.router.proxy.ForwardingTests.Exchange;
import dev.switchboard.router.proxy.ForwardingTests.Methods;
import dev.switchboard.router.security.OwnServicesAuthorization;
import dev.switchboard.router.table.RoutingTableUpdater;
import dev.switchboard.router.v1.GetRoutesRequest;
import dev.switchboard.router.v1.GroupRoutes;
import dev.switchboard.router.v1.RouterGrpc;
import dev.switchboard.router.v1.Routes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Forwarding with authorization: an in-process auth replica that allows tokens named "good-*" to call group echo, and
 * records every question.
 */
class AuthorizedForwardingTests {

	private final String prefix = InProcessServerBuilder.generateName();

	private final List<String> questions = new CopyOnWriteArrayList<>();

	private final EchoReplica echo = new EchoReplica("echo-1");

	private Server replica;

	private Server auth;

	private Server router;

	private ManagedChannel caller;

	private ClientConnectionManager manager;

	private CachingAuthorizer authorizer;

	private ScheduledExecutorService scheduler;

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
				AuthorizedForwardingTests.this.questions.add(request.getToken() + " " + request.getAction());
				boolean good = request.getToken().startsWith("good-");
				boolean granted = request.getAction().startsWith("call:echo/")
						|| (request.getAction().equals("discover") && request.getToken().startsWith("good-reader"));
				responses.onNext(AuthorizeResponse.newBuilder()
					.setDecision(!good ? Decision.UNAUTHENTICATED : granted ? Decision.ALLOWED : Decision.PERMISSION_DENIED)
					.setPrincipal(good ? "client-" + request.getToken() : "")
					.setReason(!good ? "signature does not verify" : granted ? "granted" : "no grant allows it")
					.setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().plusSeconds(600).getEpochSecond()))
					.build());
				responses.onCompleted();
			}

			@Override
			public void watchRevocations(WatchRevocationsRequest request, StreamObserver<Revocation> responses) {
				responses.onNext(Revocation.newBuilder().setSequence(1).build());
			}
		}).build().start();
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build(),
				Clock.systemUTC());
		this.authorizer = new CachingAuthorizer(() -> this.manager.acquire("auth", this.prefix + "-auth").channel(),
				Duration.ofMinutes(5), 1000, Duration.ofSeconds(2), Clock.systemUTC());
		this.scheduler = Executors.newSingleThreadScheduledExecutor();
		this.authorizer.watchRevocations(this.scheduler,
				new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), new SplittableRandom(1)));
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
				new ProxySettings(3, 64 * 1024), System::nanoTime, new SimpleMeterRegistry(), this.authorizer, false, null);
		OwnServicesAuthorization own = new OwnServicesAuthorization(this.authorizer);
		this.router = InProcessServerBuilder.forName(this.prefix + "-router")
			.directExecutor()
			.addService(ServerInterceptors.intercept(new RouterGrpcService(table::current), own))
			.addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), own))
			.fallbackHandlerRegistry(proxy)
			.build()
			.start();
		this.caller = InProcessChannelBuilder.forName(this.prefix + "-router").directExecutor().build();
	}

	@AfterEach
	void stop() {
		this.caller.shutdownNow();
		this.router.shutdownNow();
		this.authorizer.close();
		this.scheduler.shutdownNow();
		this.manager.close();
		this.auth.shutdownNow();
		this.replica.shutdownNow();
	}

	@Test
	void whenNoTokenThenUnauthenticatedWithoutAskingAuth() throws Exception {
		Exchange exchange = call(new Metadata());
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
		assertThat(exchange.status.getDescription()).isEqualTo("no bearer token in the authorization header");
		assertThat(this.questions).isEmpty();
		assertThat(this.echo.started.get()).isZero();
	}

	@Test
	void whenTokenIsBadThenUnauthenticatedWithTheAuthServicesReason() throws Exception {
		Exchange exchange = call(bearer("forged"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
		assertThat(exchange.status.getDescription()).isEqualTo("signature does not verify");
		assertThat(this.echo.started.get()).isZero();
	}

	@Test
	void whenAllowedThenForwardedWithPrincipalAndWithoutTheToken() throws Exception {
		Exchange exchange = call(bearer("good-1"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.OK);
		assertThat(exchange.messages).containsExactly("echo-1:ping");
		assertThat(this.questions).containsExactly("good-1 call:echo/" + ForwardingTests.SERVICE + "/Unary");
		Metadata received = this.echo.lastHeaders;
		assertThat(received.get(SwitchboardHeaders.PRINCIPAL)).isEqualTo("client-good-1");
		assertThat(received.get(SwitchboardHeaders.AUTHORIZATION)).isNull();
	}

	@Test
	void whenAskedAgainThenTheCachedDecisionIsUsed() throws Exception {
		// decisions are remembered once revocations flow
		await().until(() -> {
			call(bearer("good-0"));
			return this.authorizer.cached("good-0", Action.call("echo", ForwardingTests.SERVICE + "/Unary")) != null;
		});
		this.questions.clear();
		for (int i = 0; i < 5; i++) {
			assertThat(call(bearer("good-2")).status.isOk()).isTrue();
		}
		assertThat(this.questions).hasSize(1);
	}

	@Test
	void whenCallerForgesThePrincipalHeaderThenItIsReplaced() throws Exception {
		Metadata headers = bearer("good-3");
		headers.put(SwitchboardHeaders.PRINCIPAL, "admin");
		assertThat(call(headers).status.isOk()).isTrue();
		assertThat(this.echo.lastHeaders.getAll(SwitchboardHeaders.PRINCIPAL)).containsExactly("client-good-3");
	}

	@Test
	void whenTheRoutersOwnServicesAreCalledThenTheyNeedATokenAllowedToDiscoverExceptHealth() {
		RouterGrpc.RouterBlockingStub routes = RouterGrpc.newBlockingStub(this.caller);
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> routes.getRoutes(GetRoutesRequest.getDefaultInstance()))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> routes.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("forged")))
				.getRoutes(GetRoutesRequest.getDefaultInstance()))
			.satisfies((ex) -> assertThat(ex.getStatus().getDescription()).isEqualTo("signature does not verify"));
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> routes.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("good-caller")))
				.getRoutes(GetRoutesRequest.getDefaultInstance()))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
		Routes allowed = routes.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer("good-reader")))
			.getRoutes(GetRoutesRequest.getDefaultInstance());
		assertThat(allowed.getGroupsList()).extracting(GroupRoutes::getName).containsExactly("echo");
		assertThat(this.questions).containsExactly("forged discover", "good-caller discover", "good-reader discover");
		assertThat(HealthGrpc.newBlockingStub(this.caller).check(HealthCheckRequest.getDefaultInstance()).getStatus())
			.isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
	}

	private Exchange call(Metadata headers) throws Exception {
		return Exchange.run(this.caller.newCall(Methods.UNARY, CallOptions.DEFAULT), headers, List.of("ping"));
	}

	private static Metadata bearer(String token) {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + token);
		return headers;
	}

}
