package dev.switchboard.client.connection;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.client.testing.EchoServer;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ClientConnectionLimitTests {

	private ClientConnectionManager manager;

	@AfterEach
	void closeManager() {
		this.manager.closeAll();
		this.manager.close();
	}

	/** Channels to a name no server listens on: the caps do not need a server. */
	private ClientConnectionManager manager(int maxConnections, int maxConnectionsPerService) {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard()
			.withMaxConnections(maxConnections)
			.withMaxConnectionsPerService(maxConnectionsPerService), EchoServer::inProcessChannel, Clock.systemUTC());
		return this.manager;
	}

	@Test
	@Timeout(5)
	void whenTheServiceCapIsReachedThenOpeningFailsFastNamingServiceCapAndCount() {
		ClientConnectionManager manager = manager(100, 2);
		manager.open("orders", "a");
		manager.acquire("orders", "b");
		assertThatExceptionOfType(ConnectionLimitException.class).isThrownBy(() -> manager.acquire("orders", "c"))
			.withMessage("connection limit reached for service orders: 2 open, at most 2 per service")
			.satisfies((ex) -> {
				assertThat(ex.scope()).isEqualTo(ConnectionLimitException.Scope.SERVICE);
				assertThat(ex.service()).isEqualTo("orders");
				assertThat(ex.limit()).isEqualTo(2);
				assertThat(ex.current()).isEqualTo(2);
			});
		assertThat(manager.open("billing", "a").isClosed()).isFalse();
		assertThat(manager.statistics("orders").live()).isEqualTo(2);
	}

	@Test
	@Timeout(5)
	void whenTheGlobalCapIsReachedThenOpeningFailsForEveryService() {
		ClientConnectionManager manager = manager(3, 2);
		manager.open("orders", "a");
		manager.open("orders", "a");
		manager.open("billing", "a");
		assertThatExceptionOfType(ConnectionLimitException.class).isThrownBy(() -> manager.open("stock", "a"))
			.withMessage("global connection limit reached opening service stock: 3 open, at most 3")
			.satisfies((ex) -> assertThat(ex.scope()).isEqualTo(ConnectionLimitException.Scope.GLOBAL));
		assertThat(manager.statistics("stock")).isEqualTo(ServiceStatistics.NONE);
		assertThat(manager.live()).isEqualTo(3);
	}

	@Test
	void whenAConnectionClosesThenItsSlotIsFreed() {
		ClientConnectionManager manager = manager(1, 1);
		ClientConnection first = manager.open("orders", "a");
		assertThatExceptionOfType(ConnectionLimitException.class).isThrownBy(() -> manager.open("orders", "a"));
		first.close();
		assertThat(manager.open("orders", "a").isClosed()).isFalse();
	}

	@Test
	void whenTheLimitIsReachedThenItsStatusIsResourceExhaustedWithTheOneLineMessage() {
		ClientConnectionManager manager = manager(1, 1);
		manager.open("orders", "a");
		ConnectionLimitException ex = org.junit.jupiter.api.Assertions.assertThrows(ConnectionLimitException.class,
				() -> manager.open("orders", "a"));
		Status status = ex.toStatus();
		assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(status.getDescription()).isEqualTo(ex.getMessage()).doesNotContain("\n");
		assertThat(status.getCause()).isSameAs(ex);
	}

	@Test
	@Timeout(20)
	void whenManyThreadsRaceForTheLastSlotsThenExactlyTheCapIsOpened() throws Exception {
		ClientConnectionManager manager = manager(25, 10);
		int threads = 32;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		AtomicInteger refused = new AtomicInteger();
		List<Future<?>> futures = new ArrayList<>();
		try {
			for (int i = 0; i < threads; i++) {
				String service = "service-" + (i % 4);
				futures.add(executor.submit(() -> {
					start.await();
					for (int attempt = 0; attempt < 5; attempt++) {
						try {
							manager.open(service, "a");
						}
						catch (ConnectionLimitException ex) {
							refused.incrementAndGet();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(15, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(manager.live()).isEqualTo(25);
		assertThat(refused.get()).isEqualTo(threads * 5 - 25);
		int perService = 0;
		for (int i = 0; i < 4; i++) {
			ServiceStatistics statistics = manager.statistics("service-" + i);
			assertThat(statistics.live()).isLessThanOrEqualTo(10);
			assertThat(statistics.peak()).isEqualTo(statistics.live());
			perService += statistics.live();
		}
		assertThat(perService).isEqualTo(25);
		assertThat(manager.describe().peak()).isEqualTo(25);
	}

}
