package dev.switchboard.router;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.proxy.ManagedReplicaChannels;
import dev.switchboard.router.proxy.ProxyHandlerRegistry;
import dev.switchboard.router.proxy.ProxySettings;
import dev.switchboard.router.proxy.RetryBudget;
import dev.switchboard.router.table.RoutingTable;
import dev.switchboard.router.transport.EventLoops;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The router's server as RouterConfiguration builds it, over real Netty: a caller's connection is bounded. */
class RouterConnectionLimitsTests {

	private static final MethodDescriptor<byte[], byte[]> UNKNOWN = MethodDescriptor.<byte[], byte[]>newBuilder()
		.setType(MethodDescriptor.MethodType.UNARY)
		.setFullMethodName("x.Nobody/Call")
		.setRequestMarshaller(Bytes.INSTANCE)
		.setResponseMarshaller(Bytes.INSTANCE)
		.build();

	@Test
	void whenACallCarriesMoreMetadataThanAllowedThenTheTransportRefusesItBeforeRouting() throws Exception {
		RouterProperties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("switchboard.router.connections.max-header-list-size", "1KB")))
			.bindOrCreate("switchboard.router", RouterProperties.class);
		try (EventLoops loops = new EventLoops(1);
				ClientConnectionManager manager = new ClientConnectionManager(ConnectionManagerSettings.standard())) {
			ProxyHandlerRegistry proxy = new ProxyHandlerRegistry(() -> RoutingTable.EMPTY,
					new ManagedReplicaChannels(manager), new PowerOfTwoChoices(() -> new SplittableRandom(1),
							System::nanoTime),
					new RetryBudget(0.2, 10), new ProxySettings(3, 1024), System::nanoTime, new SimpleMeterRegistry(),
					null, false, null);
			NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
			new RouterConfiguration().routerServerCustomizer(loops, proxy, properties).customize(builder);
			Server router = builder.build().start();
			ManagedChannel caller = NettyChannelBuilder.forAddress("127.0.0.1", router.getPort()).usePlaintext().build();
			try {
				// small metadata reaches the router's handler, which finds no group
				assertStatus(caller, "x".repeat(100), Status.Code.NOT_FOUND);
				// too much never does
				assertStatus(caller, "x".repeat(4000), Status.Code.INTERNAL, Status.Code.RESOURCE_EXHAUSTED,
						Status.Code.UNAVAILABLE);
			}
			finally {
				caller.shutdownNow();
				router.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
			}
		}
	}

	private static void assertStatus(ManagedChannel channel, String header, Status.Code... expected) {
		Metadata metadata = new Metadata();
		metadata.put(Metadata.Key.of("x-big", Metadata.ASCII_STRING_MARSHALLER), header);
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> ClientCalls.blockingUnaryCall(
					ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata)), UNKNOWN,
					CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), new byte[0]))
			.satisfies((ex) -> org.assertj.core.api.Assertions.assertThat(ex.getStatus().getCode()).isIn((Object[]) expected));
	}

	private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {

		INSTANCE;

		@Override
		public java.io.InputStream stream(byte[] value) {
			return new java.io.ByteArrayInputStream(value);
		}

		@Override
		public byte[] parse(java.io.InputStream stream) {
			try {
				return stream.readAllBytes();
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}

	}

}
