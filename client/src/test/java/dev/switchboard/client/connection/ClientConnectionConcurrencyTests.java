package dev.switchboard.client.connection;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.switchboard.client.testing.EchoServer;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class ClientConnectionConcurrencyTests {

	private static final int THREADS = 16;

	private static final int CYCLES = 2_000;

	private static final List<String> SERVICES = List.of("orders", "billing", "stock", "users");

	private static final int MAX_CONNECTIONS = 20;

	private static final int MAX_PER_SERVICE = 6;

	@RegisterExtension
	final EchoServer server = new EchoServer();

	@Test
	@Timeout(60)
	void whenManyThreadsOpenUseAndCloseAtOnceThenEveryCountIsExact() throws Exception {
		ClientConnectionManager manager = new ClientConnectionManager(
				ConnectionManagerSettings.standard()
					.withMaxConnections(MAX_CONNECTIONS)
					.withMaxConnectionsPerService(MAX_PER_SERVICE)
					.withCloseTimeout(Duration.ofMillis(250)),
				(target, settings) -> EchoServer.inProcessChannel(this.server.target(), settings), Clock.systemUTC());
		String[] targets = { "replica-1", "replica-2", "replica-3" }; // all served by the one in-process server
		LongAdder attempted = new LongAdder(); // calls that reached the channel of an open-looking handle
		LongAdder refusedAsClosed = new LongAdder(); // of those, the ones the closed handle turned away uncounted
		LongAdder limited = new LongAdder();
		LongAdder closedUnderUs = new LongAdder();
		Set<Long> handedOut = ConcurrentHashMap.newKeySet();
		Set<Long> opened = ConcurrentHashMap.newKeySet();
		Set<Long> closed = ConcurrentHashMap.newKeySet();
		manager.addListener(new ConnectionListener() {

			@Override
			public void opened(ClientConnection connection) {
				opened.add(connection.id());
			}

			@Override
			public void closed(ClientConnection connection) {
				closed.add(connection.id());
			}

		});
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		try {
			for (int t = 0; t < THREADS; t++) {
				futures.add(executor.submit(() -> {
					start.await();
					ThreadLocalRandom random = ThreadLocalRandom.current();
					for (int i = 0; i < CYCLES; i++) {
						String service = SERVICES.get(random.nextInt(SERVICES.size()));
						String target = targets[random.nextInt(targets.length)];
						try {
							int action = random.nextInt(10);
							if (action < 4) {
								// a connection of our own: open, use, close
								// (closeService on another thread may close it first)
								ClientConnection own = manager.open(service, target);
								handedOut.add(own.id());
								try {
									call(own.channel(), attempted, refusedAsClosed);
								}
								catch (IllegalStateException ex) {
									closedUnderUs.increment();
								}
								own.close();
							}
							else if (action < 9) {
								// the shared one, which another thread may close at any moment
								ClientConnection shared = manager.acquire(service, target);
								handedOut.add(shared.id());
								Channel channel;
								try {
									channel = shared.channel();
								}
								catch (IllegalStateException ex) {
									closedUnderUs.increment();
									continue;
								}
								call(channel, attempted, refusedAsClosed);
								if (random.nextInt(8) == 0) {
									shared.close();
								}
							}
							else {
								manager.closeService(service);
							}
						}
						catch (ConnectionLimitException ex) {
							limited.increment();
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(50, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		manager.closeAll();

		ClientConnectionsDescriptor description = manager.describe();
		assertThat(description.live()).isZero();
		assertThat(description.connections()).isEmpty();
		assertThat(description.opened()).isEqualTo(description.closed()).isEqualTo(opened.size());
		assertThat(closed).isEqualTo(opened).containsAll(handedOut);
		assertThat(description.peak()).isLessThanOrEqualTo(MAX_CONNECTIONS);
		long calls = 0;
		for (String service : SERVICES) {
			ServiceStatistics statistics = manager.statistics(service);
			assertThat(statistics.live()).as(service).isZero();
			assertThat(statistics.opened()).as(service).isEqualTo(statistics.closed()).isPositive();
			assertThat(statistics.peak()).as(service).isBetween(1, MAX_PER_SERVICE);
			calls += statistics.calls();
		}
		assertThat(calls).isEqualTo(attempted.sum() - refusedAsClosed.sum());
		assertThat(description.services().values().stream().mapToLong(ServiceStatistics::opened).sum())
			.isEqualTo(description.opened());
		manager.close();
	}

	private static void call(Channel channel, LongAdder attempted, LongAdder refusedAsClosed) {
		attempted.increment();
		try {
			EchoServer.echo(channel, "ping");
		}
		catch (StatusRuntimeException ex) {
			// closed between channel() and the call: either turned away by the handle (not counted), or by the
			// shut-down channel underneath, or cancelled when the close timeout ran out (both counted, since they
			// got past the handle)
			assertThat(ex.getStatus().getCode()).as(ex.getStatus().toString())
				.isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
			if (ex.getStatus().getDescription() != null && ex.getStatus().getDescription().endsWith(" is closed")) {
				refusedAsClosed.increment();
			}
		}
	}

}
