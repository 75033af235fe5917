package dev.switchboard.component.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.ListGroupsResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The load a component reports: calls in flight while a handler runs, completed calls once it answered, health
 * checks in neither.
 */
class InFlightCallsTests {

	private final InFlightCalls calls = new InFlightCalls();

	private final CountDownLatch release = new CountDownLatch(1);

	private Server server;

	private ManagedChannel channel;

	@AfterEach
	void stop() {
		this.release.countDown();
		this.channel.shutdownNow();
		this.server.shutdownNow();
	}

	@Test
	void countsCallsInFlightThenCompletedButNotHealthChecks() throws Exception {
		start();
		RegistryGrpc.RegistryStub registry = RegistryGrpc.newStub(this.channel);
		CountDownLatch answered = new CountDownLatch(2);
		StreamObserver<ListGroupsResponse> observer = new StreamObserver<>() {

			@Override
			public void onNext(ListGroupsResponse value) {
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
				answered.countDown();
			}

		};
		registry.listGroups(ListGroupsRequest.getDefaultInstance(), observer);
		registry.listGroups(ListGroupsRequest.getDefaultInstance(), observer);
		await().until(() -> this.calls.inFlight() == 2);
		assertThat(this.calls.completed()).isZero();

		HealthGrpc.newBlockingStub(this.channel).check(HealthCheckRequest.getDefaultInstance());
		assertThat(this.calls.inFlight()).isEqualTo(2);

		this.release.countDown();
		assertThat(answered.await(5, TimeUnit.SECONDS)).isTrue();
		await().until(() -> this.calls.inFlight() == 0);
		assertThat(this.calls.completed()).isEqualTo(2);
	}

	private void start() throws Exception {
		String name = InProcessServerBuilder.generateName();
		RegistryGrpc.RegistryImplBase slow = new RegistryGrpc.RegistryImplBase() {

			@Override
			public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> responses) {
				try {
					InFlightCallsTests.this.release.await(5, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				responses.onNext(ListGroupsResponse.getDefaultInstance());
				responses.onCompleted();
			}

		};
		this.server = InProcessServerBuilder.forName(name)
			.addService(ServerInterceptors.intercept(slow, this.calls))
			.addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), this.calls))
			.build()
			.start();
		this.channel = InProcessChannelBuilder.forName(name).build();
	}

}
