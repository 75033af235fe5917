package dev.switchboard.sample.volume;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.ConnectionManagerSettings;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import dev.switchboard.sample.compute.v1.ComputeGrpc;
import dev.switchboard.sample.compute.v1.GetServerRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Asking compute replicas, found through discovery, over channels from the connection manager: in-process compute
 * replicas that each hold some servers.
 */
class ComputeServerDirectoryTests {

	private final List<Server> servers = new ArrayList<>();

	private final List<ServiceInstance> replicas = new ArrayList<>();

	private final ClientConnectionManager connections = new ClientConnectionManager(
			ConnectionManagerSettings.standard(),
			(target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build(), Clock.systemUTC());

	private final DiscoveryClient discovery = new DiscoveryClient() {

		@Override
		public String description() {
			return "test";
		}

		@Override
		public List<ServiceInstance> getInstances(String serviceId) {
			return serviceId.equals("compute") ? ComputeServerDirectoryTests.this.replicas : List.of();
		}

		@Override
		public List<String> getServices() {
			return List.of("compute");
		}
	};

	private final ComputeServerDirectory directory = new ComputeServerDirectory(this.discovery, this.connections);

	@AfterEach
	void stop() {
		this.connections.close();
		this.servers.forEach(Server::shutdownNow);
	}

	@Test
	void whenAnyUpReplicaHoldsTheServerThenItExists() throws Exception {
		replica("compute-1", "UP", Set.of("a"));
		replica("compute-2", "UP", Set.of("b"));
		assertThat(this.directory.exists("b")).isTrue();
		assertThat(this.directory.exists("a")).isTrue();
		assertThat(this.directory.exists("c")).isFalse();
		// one cached connection per replica, counted under compute
		assertThat(this.connections.connections("compute")).hasSize(2);
	}

	@Test
	void whenOnlyADownReplicaHoldsItThenNotAsked() throws Exception {
		replica("compute-1", "DOWN", Set.of("a"));
		replica("compute-2", "UP", Set.of());
		assertThat(this.directory.exists("a")).isFalse();
	}

	@Test
	void whenNoReplicaIsUpThenUnavailable() throws Exception {
		replica("compute-1", "OUT_OF_SERVICE", Set.of("a"));
		assertThatExceptionOfType(RefusalException.class).isThrownBy(() -> this.directory.exists("a"))
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(Status.Code.UNAVAILABLE));
	}

	private void replica(String id, String status, Set<String> held) throws Exception {
		String name = InProcessServerBuilder.generateName();
		this.servers.add(InProcessServerBuilder.forName(name + ":1").directExecutor().addService(new ComputeGrpc.ComputeImplBase() {
			@Override
			public void getServer(GetServerRequest request,
					StreamObserver<dev.switchboard.sample.compute.v1.Server> responses) {
				if (held.contains(request.getId())) {
					responses.onNext(dev.switchboard.sample.compute.v1.Server.newBuilder().setId(request.getId()).build());
					responses.onCompleted();
				}
				else {
					responses.onError(Status.NOT_FOUND.asRuntimeException());
				}
			}
		}).build().start());
		this.replicas.add(new DefaultServiceInstance(id, "compute", name, 1, false,
				Map.of(SwitchboardDiscoveryClient.STATUS, status)));
	}

}
