package dev.switchboard.router.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.registry.RegistryView;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.balancer.ReplicaSelector;
import dev.switchboard.router.proxy.ForwardingTests.EchoReplica;
import dev.switchboard.router.proxy.ForwardingTests.Exchange;
import dev.switchboard.router.proxy.ForwardingTests.Methods;
import dev.switchboard.router.table.RoutingTableUpdater;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls a replica never processed are replayed on another replica by the router itself, over real Netty transports
 * whose channels run without grpc-java's retries, as the router's do.
 */
class UnprocessedTests {

	private final List<Server> servers = new ArrayList<>();

	private ClientConnectionManager manager;

	private ManagedChannel caller;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.caller != null) {
			this.caller.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		if (this.manager != null) {
			this.manager.close();
		}
		for (Server server : this.servers) {
			server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	@Test
	void statusesOfRequestsNeverProcessedAreRecognizedAndNoOthers() {
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("Abrupt GOAWAY closed unsent stream. HTTP/2 error code: NO_ERROR"))).isTrue();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE.withDescription("GOAWAY closed buffered stream. "
				+ "HTTP/2 error code: NO_ERROR"))).isTrue();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("RST_STREAM closed stream. HTTP/2 error code: REFUSED_STREAM"))).isTrue();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL"))).isFalse();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("Connection closed after GOAWAY. HTTP/2 error code: NO_ERROR"))).isFalse();
		// also what streams still open get when the connection closes after a GOAWAY: they may have been processed
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("GOAWAY shut down transport. HTTP/2 error code: NO_ERROR"))).isFalse();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE
			.withDescription("Abrupt GOAWAY closed sent stream. HTTP/2 error code: INTERNAL_ERROR"))).isFalse();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE.withDescription("io exception"))).isFalse();
		assertThat(Unprocessed.neverProcessed(Status.UNAVAILABLE)).isFalse();
		assertThat(Unprocessed.neverProcessed(Status.INTERNAL.withDescription("GOAWAY closed buffered stream")))
			.isFalse();
	}

	/**
	 * echo-1 takes one stream per connection, holds a call on it, and the router's next call waits in its transport's
	 * buffer; echo-1 then shuts down gracefully, its GOAWAY fails the buffered call, and the router replays it on
	 * echo-2, while the held call finishes on echo-1.
	 */
	@Test
	void whenAReplicaGoesAwayWithACallStillInTheTransportBufferThenTheCallIsReplayedOnAnotherReplica()
			throws Exception {
		EchoReplica echo1 = new EchoReplica("echo-1");
		EchoReplica echo2 = new EchoReplica("echo-2");
		Server replica1 = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
			.directExecutor()
			.maxConcurrentCallsPerConnection(1)
			.addService(echo1.definition()));
		Server replica2 = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
			.directExecutor()
			.addService(echo2.definition()));
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> NettyChannelBuilder.forTarget(target)
					.usePlaintext()
					.directExecutor()
					.disableRetry()
					.build(),
				Clock.systemUTC());
		ReplicaChannels channels = new ManagedReplicaChannels(this.manager);
		RoutingTableUpdater table = new RoutingTableUpdater((instance) -> new Replica(instance,
				new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10))),
				channels::release);
		table.accept(new RegistryView(1,
				Map.of("echo-1", instance("echo-1", replica1.getPort()), "echo-2", instance("echo-2", replica2.getPort()))));
		// echo-1 first, unless the failed attempt was there
		ReplicaSelector echo1First = (route, excluded) -> {
			Replica first = route.replicas().get("echo-1");
			return (first != excluded) ? first : route.replicas().get("echo-2");
		};
		ProxyHandlerRegistry proxy = new ProxyHandlerRegistry(table::current, channels, echo1First,
				new RetryBudget(0.2, 10), new ProxySettings(3, 64 * 1024), System::nanoTime, new SimpleMeterRegistry(),
				null, false, null);
		Server router = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
			.directExecutor()
			.fallbackHandlerRegistry(proxy));
		this.caller = NettyChannelBuilder.forAddress("127.0.0.1", router.getPort()).usePlaintext().build();

		ClientCall<String, String> held = this.caller.newCall(Methods.HANG, CallOptions.DEFAULT);
		Exchange heldExchange = new Exchange();
		held.start(heldExchange, new Metadata());
		held.request(1);
		held.sendMessage("hold");
		held.halfClose();
		awaitTrue(() -> echo1.started.get() == 1);

		ClientCall<String, String> buffered = this.caller.newCall(Methods.UNARY,
				CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
		Exchange bufferedExchange = new Exchange();
		buffered.start(bufferedExchange, new Metadata());
		buffered.request(1);
		buffered.sendMessage("again");
		buffered.halfClose();
		Replica first = table.current().group("echo").replicas().get("echo-1");
		awaitTrue(() -> first.outstanding() == 2);
		// the router's upstream stream now waits in the transport's buffer, past the stream limit: never started
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> echo1.started.get() == 1);

		replica1.shutdown();

		bufferedExchange.await();
		assertThat(bufferedExchange.status.getCode()).isEqualTo(Status.Code.OK);
		assertThat(bufferedExchange.messages).containsExactly("echo-2:again");
		assertThat(echo1.started.get()).as("echo-1 never processed the replayed call").isEqualTo(1);
		assertThat(heldExchange.closed.getCount()).as("the held call is still open on echo-1").isEqualTo(1);
		held.cancel("done", null);
		heldExchange.await();
	}

	private static Instance instance(String id, int port) {
		return Instance.newBuilder()
			.setGroup("echo")
			.setInstanceId(id)
			.setHost("127.0.0.1")
			.setPort(port)
			.setWeight(100)
			.setStatus(InstanceStatus.UP)
			.addServices(ForwardingTests.SERVICE)
			.build();
	}

	private static void awaitTrue(BooleanSupplier condition) {
		await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
	}

	private Server start(NettyServerBuilder builder) throws IOException {
		Server server = builder.build().start();
		this.servers.add(server);
		return server;
	}

}
