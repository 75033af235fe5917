package dev.switchboard.sample.compute;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ClientSettings;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.network.v1.CreatePortRequest;
import dev.switchboard.sample.network.v1.NetworkGrpc;
import dev.switchboard.sample.network.v1.Port;
import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Ports asked of the network group through the router's address from the connection manager: an in-process server
 * stands where the router is and answers as the network group would.
 */
class RouterNetworkPortsTests {

	private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
			Metadata.ASCII_STRING_MARSHALLER);

	/** The authorization header of the call being served. */
	private static final Context.Key<String> TOKEN = Context.key("token");

	private final String routerName = InProcessServerBuilder.generateName();

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final ClientConnectionManager connections = new ClientConnectionManager(
			ConnectionManagerSettings.standard()
				.withService(RouterNetworkPorts.ROUTER, ClientSettings.forAddress(this.routerName)),
			(target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build(), Clock.systemUTC());

	private final CallCredentials token = new CallCredentials() {

		@Override
		public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
			Metadata headers = new Metadata();
			headers.put(AUTHORIZATION, "Bearer compute-token");
			applier.apply(headers);
		}

	};

	private Server router;

	@AfterEach
	void stop() {
		this.connections.close();
		if (this.router != null) {
			this.router.shutdownNow();
		}
	}

	/** The network group behind the router: a port per request, except on the networks named after a refusal. */
	private void startRouter() throws Exception {
		NetworkGrpc.NetworkImplBase network = new NetworkGrpc.NetworkImplBase() {

			@Override
			public void createPort(CreatePortRequest request, StreamObserver<Port> responses) {
				RouterNetworkPortsTests.this.received.add(request.getNetwork() + " " + request.getDeviceId() + "@"
						+ request.getHostId() + " " + TOKEN.get());
				switch (request.getNetwork()) {
					case "full" -> responses.onError(Status.FAILED_PRECONDITION
						.withDescription("network 'full' has no free address").asRuntimeException());
					case "down" -> responses.onError(Status.UNAVAILABLE
						.withDescription("group 'network' has no UP replica").asRuntimeException());
					case "forbidden" -> responses.onError(Status.PERMISSION_DENIED
						.withDescription("client 'compute' may not call network").asRuntimeException());
					default -> {
						responses.onNext(Port.newBuilder().setId("port-on-" + request.getNetwork()).build());
						responses.onCompleted();
					}
				}
			}

		};
		this.router = InProcessServerBuilder.forName(this.routerName)
			.directExecutor()
			.addService(ServerInterceptors.intercept(network, new ServerInterceptor() {

				@Override
				public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
						ServerCallHandler<Q, A> next) {
					return Contexts.interceptCall(Context.current().withValue(TOKEN, headers.get(AUTHORIZATION)), call,
							headers, next);
				}

			}))
			.build()
			.start();
	}

	@Test
	void whenNetworksAreAskedForThenOnePortEachComesThroughTheRouterWithThisReplicasToken() throws Exception {
		startRouter();

		List<String> ports = new RouterNetworkPorts(this.connections, this.token).plug("server-1", "compute-2",
				List.of("private", "public"));

		assertThat(ports).containsExactly("port-on-private", "port-on-public");
		assertThat(this.received).containsExactly("private server-1@compute-2 Bearer compute-token",
				"public server-1@compute-2 Bearer compute-token");
		assertThat(this.connections.connections(RouterNetworkPorts.ROUTER)).hasSize(1);
	}

	@Test
	void whenTheNetworkGroupRefusesThenTheCallerGetsACodeAboutItsOwnRequest() throws Exception {
		startRouter();
		RouterNetworkPorts ports = new RouterNetworkPorts(this.connections, this.token);

		assertRefused(ports, "full", Status.Code.FAILED_PRECONDITION,
				"no port on network 'full': FAILED_PRECONDITION network 'full' has no free address");
		assertRefused(ports, "down", Status.Code.UNAVAILABLE,
				"no port on network 'down': UNAVAILABLE group 'network' has no UP replica");
		// this replica's own client lacking call:network/* is not the caller's fault
		assertRefused(ports, "forbidden", Status.Code.UNAVAILABLE,
				"no port on network 'forbidden': PERMISSION_DENIED client 'compute' may not call network");
	}

	private static void assertRefused(RouterNetworkPorts ports, String network, Status.Code code, String reason) {
		assertThatExceptionOfType(RefusalException.class)
			.isThrownBy(() -> ports.plug("server-1", "compute-1", List.of(network)))
			.satisfies((ex) -> {
				assertThat(ex.code()).isEqualTo(code);
				assertThat(ex.getMessage()).isEqualTo(reason);
			});
	}

}
