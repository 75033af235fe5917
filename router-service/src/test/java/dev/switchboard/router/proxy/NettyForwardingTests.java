package dev.switchboard.router.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
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
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarding path over real Netty transports on loopback, where response messages travel in the upstream
 * connection's pooled buffers: every buffer the router takes over must be released, whether the message is written,
 * the caller cancels, or the call fails. Netty's leak detector runs at its paranoid level (every buffer tracked) and
 * reports what was collected unreleased.
 */
class NettyForwardingTests {

	static final String FLOOD_SERVICE = "test.v1.Flood";

	/** Streams 20 KB messages for as long as the transport takes them, until the call is cancelled. */
	static final MethodDescriptor<String, String> FLOOD = Methods.SERVER_STREAM.toBuilder()
		.setFullMethodName(FLOOD_SERVICE + "/Flood")
		.build();

	private final ListAppender<ILoggingEvent> leaks = new ListAppender<>();

	private final Logger leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);

	private final List<Server> servers = new ArrayList<>();

	private ResourceLeakDetector.Level level;

	private ClientConnectionManager manager;

	private RoutingTableUpdater table;

	private EchoReplica echo;

	private ManagedChannel caller;

	@BeforeEach
	void start() throws IOException {
		this.level = ResourceLeakDetector.getLevel();
		ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
		this.leaks.start();
		this.leakLogger.addAppender(this.leaks);
		this.echo = new EchoReplica("echo-1");
		Server replica = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
			.directExecutor()
			.addService(this.echo.definition())
			.addService(flood()));
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard(),
				(target, settings) -> NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor().build(),
				Clock.systemUTC());
		ReplicaChannels channels = new ManagedReplicaChannels(this.manager);
		this.table = new RoutingTableUpdater((instance) -> new Replica(instance,
				new OutlierDetector(3, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(10))),
				channels::release);
		this.table.accept(new RegistryView(1, Map.of("echo-1", Instance.newBuilder()
			.setGroup("echo")
			.setInstanceId("echo-1")
			.setHost("127.0.0.1")
			.setPort(replica.getPort())
			.setWeight(100)
			.setStatus(InstanceStatus.UP)
			.addServices(ForwardingTests.SERVICE)
			.addServices(FLOOD_SERVICE)
			.build())));
		ProxyHandlerRegistry proxy = new ProxyHandlerRegistry(this.table::current, channels,
				new PowerOfTwoChoices(() -> new SplittableRandom(7), System::nanoTime), new RetryBudget(0.2, 10),
				new ProxySettings(3, 64 * 1024), System::nanoTime, new SimpleMeterRegistry(), null, false, null);
		Server router = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
			.directExecutor()
			.fallbackHandlerRegistry(proxy));
		this.caller = NettyChannelBuilder.forAddress("127.0.0.1", router.getPort()).usePlaintext().build();
	}

	@AfterEach
	void stop() throws InterruptedException {
		shutDown();
		this.leakLogger.detachAppender(this.leaks);
		ResourceLeakDetector.setLevel(this.level);
	}

	@Test
	void whenMessagesSpanFramesInBothDirectionsThenTheyArriveWholeAndNoBufferLeaks() throws Exception {
		// 40 KB each: more than two HTTP/2 frames, so a response is detached as several buffers
		String large = "x".repeat(40_000);
		for (int i = 0; i < 20; i++) {
			Exchange exchange = call(Methods.BIDI, List.of(large, "y"));
			assertThat(exchange.status.getCode()).isEqualTo(Status.Code.OK);
			assertThat(exchange.messages).containsExactly("echo-1:" + large, "echo-1:y");
		}
		Exchange unary = call(Methods.UNARY, List.of("ping"));
		assertThat(unary.messages).containsExactly("echo-1:ping");
		Exchange stream = call(Methods.SERVER_STREAM, List.of("500"));
		assertThat(stream.messages).hasSize(500).startsWith("echo-1:0").endsWith("echo-1:499");
		assertNoLeak();
	}

	@Test
	void whenCallersCancelWhileResponsesStreamThenNoBufferLeaks() throws Exception {
		for (int i = 0; i < 20; i++) {
			ClientCall<String, String> call = this.caller.newCall(FLOOD,
					CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
			CancelAfterFirst listener = new CancelAfterFirst(call);
			call.start(listener, new Metadata());
			call.request(Integer.MAX_VALUE);
			call.sendMessage("go");
			call.halfClose();
			assertThat(listener.closed.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(listener.status.getCode()).isEqualTo(Status.Code.CANCELLED);
		}
		assertNoLeak();
	}

	@Test
	void whenTheReplicaFailsTheCallThenTheStatusPassesAndNoBufferLeaks() throws Exception {
		Exchange exchange = call(Methods.UNARY, List.of("deny"));
		assertThat(exchange.status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
		assertNoLeak();
	}

	private Exchange call(MethodDescriptor<String, String> method, List<String> requests)
			throws InterruptedException {
		return Exchange.run(this.caller.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
				new Metadata(), requests);
	}

	private static ServerServiceDefinition flood() {
		String chunk = "z".repeat(20_000);
		return ServerServiceDefinition.builder(FLOOD_SERVICE)
			.addMethod(FLOOD, (ServerCallHandler<String, String>) (call, headers) -> {
				call.sendHeaders(new Metadata());
				call.request(1);
				return new ServerCall.Listener<>() {
					@Override
					public void onReady() {
						while (call.isReady()) {
							call.sendMessage(chunk);
						}
					}
				};
			})
			.build();
	}

	private Server start(NettyServerBuilder builder) throws IOException {
		Server server = builder.build().start();
		this.servers.add(server);
		return server;
	}

	private void shutDown() throws InterruptedException {
		this.caller.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.manager.close();
		for (Server server : this.servers) {
			server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	/**
	 * Closes everything, then lets the collector find unreleased buffers: the detector reports a leak when it tracks
	 * its next buffer after the leaked one was collected.
	 */
	private void assertNoLeak() throws InterruptedException {
		shutDown();
		for (int i = 0; i < 5; i++) {
			System.gc();
			Thread.sleep(50);
			ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
			probe.release();
		}
		assertThat(this.leaks.list).extracting(ILoggingEvent::getFormattedMessage)
			.noneMatch((message) -> message.contains("LEAK"));
	}

	/** A caller that cancels as soon as the first response arrives, while the rest are still on their way. */
	private static final class CancelAfterFirst extends ClientCall.Listener<String> {

		private final ClientCall<String, String> call;

		private final CountDownLatch closed = new CountDownLatch(1);

		private volatile Status status;

		CancelAfterFirst(ClientCall<String, String> call) {
			this.call = call;
		}

		@Override
		public void onMessage(String message) {
			this.call.cancel("enough", null);
		}

		@Override
		public void onClose(Status status, Metadata trailers) {
			this.status = status;
			this.closed.countDown();
		}

	}

}
