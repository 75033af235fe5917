package dev.switchboard.client.connection;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.ListGroupsResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * One channel over two real loopback servers through the resolver as gRPC loads it (from {@code META-INF/services},
 * by its scheme alone): each server answers ListGroups with its own name, so a call tells which one it reached.
 */
class StaticAddressNameResolverProviderTests {

	private final List<Server> servers = new ArrayList<>();

	private final List<ManagedChannel> channels = new ArrayList<>();

	@AfterEach
	void stop() {
		this.channels.forEach(ManagedChannel::shutdownNow);
		this.servers.forEach(Server::shutdownNow);
	}

	@Test
	void whenTheReplicaCallsGoToStopsThenTheNextCallLandsOnTheOther() throws Exception {
		Server a = start("a");
		Server b = start("b");
		ManagedChannel channel = channel(address(a), address(b));

		String first = servedBy(channel);
		assertThat(servedBy(channel)).as("calls stay on one replica").isEqualTo(first);
		(first.equals("a") ? a : b).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

		assertThat(servedBy(channel)).isEqualTo(first.equals("a") ? "b" : "a");
	}

	@Test
	void whenTheFirstListedReplicaIsDownThenCallsReachTheOther() throws Exception {
		Server gone = start("gone");
		String goneAddress = address(gone);
		gone.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		Server alive = start("alive");
		ManagedChannel channel = channel(goneAddress, address(alive));
		for (int i = 0; i < 5; i++) {
			assertThat(servedBy(channel)).isEqualTo("alive");
		}
	}

	@Test
	void whenEveryReplicaIsDownThenUnavailable() throws Exception {
		Server gone = start("gone");
		String goneAddress = address(gone);
		gone.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		ManagedChannel channel = channel(goneAddress);
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(() -> servedBy(channel))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
	}

	@Test
	void whenManyProcessesOpenTheChannelThenTheyStartOnDifferentReplicas() throws Exception {
		String a = address(start("a"));
		String b = address(start("b"));
		Set<String> firstReplicas = new HashSet<>();
		// each channel shuffles on its own: 16 all starting on the same replica has odds of 1 in 32768
		for (int i = 0; i < 16; i++) {
			firstReplicas.add(servedBy(channel(a, b)));
		}
		assertThat(firstReplicas).containsExactlyInAnyOrder("a", "b");
	}

	@Test
	void whenTargetIsWrittenThenEveryAddressIsNamedInOrderWithoutDnsPrefixes() {
		assertThat(StaticAddressNameResolverProvider.target(List.of("h1:9101", "dns:///h2:9101")))
			.isEqualTo("switchboard-static:///h1:9101,h2:9101");
		assertThatIllegalArgumentException().isThrownBy(() -> StaticAddressNameResolverProvider.target(List.of()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StaticAddressNameResolverProvider.target(List.of("h1:9101,h2:9101")));
	}

	private ManagedChannel channel(String... addresses) {
		ManagedChannel channel = Grpc
			.newChannelBuilder(StaticAddressNameResolverProvider.target(List.of(addresses)),
					InsecureChannelCredentials.create())
			.build();
		this.channels.add(channel);
		return channel;
	}

	private static String servedBy(ManagedChannel channel) {
		return RegistryGrpc.newBlockingStub(channel)
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.listGroups(ListGroupsRequest.getDefaultInstance())
			.getGroups(0)
			.getName();
	}

	private static String address(Server server) {
		return "127.0.0.1:" + server.getPort();
	}

	private Server start(String name) throws Exception {
		Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(new RegistryGrpc.RegistryImplBase() {

				@Override
				public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> responses) {
					responses.onNext(ListGroupsResponse.newBuilder()
						.addGroups(GroupSummary.newBuilder().setName(name))
						.build());
					responses.onCompleted();
				}

			})
			.build()
			.start();
		this.servers.add(server);
		return server;
	}

}
