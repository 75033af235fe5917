package dev.switchboard.client.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.client.testing.EchoServer;
import dev.switchboard.client.testing.MutableClock;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientConnectionManagerTests {

	@RegisterExtension
	final EchoServer server = new EchoServer();

	private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");

	private ClientConnectionManager manager;

	@AfterEach
	void closeManager() {
		if (this.manager != null) {
			this.manager.closeAll();
			this.manager.close();
		}
	}

	private ClientConnectionManager manager(ConnectionManagerSettings settings) {
		this.manager = new ClientConnectionManager(settings, this.server.channelFactory(), this.clock);
		return this.manager;
	}

	private ClientConnectionManager manager() {
		return manager(ConnectionManagerSettings.standard().withCloseTimeout(Duration.ofSeconds(1)));
	}

	@Test
	void whenAcquiringTwiceThenTheSameConnectionIsReturned() {
		ClientConnectionManager manager = manager();
		ClientConnection first = manager.acquire("orders", this.server.target());
		ClientConnection second = manager.acquire("orders", this.server.target());
		assertThat(second).isSameAs(first);
		assertThat(manager.statistics("orders").opened()).isEqualTo(1);
		assertThat(first.service()).isEqualTo("orders");
		assertThat(first.target()).isEqualTo(this.server.target());
		assertThat(first.createdAt()).isEqualTo(this.clock.instant());
	}

	@Test
	void whenAcquiringForAnotherServiceOrTargetThenEachGetsItsOwnConnection() {
		ClientConnectionManager manager = manager();
		ClientConnection orders = manager.acquire("orders", this.server.target());
		ClientConnection billing = manager.acquire("billing", this.server.target());
		ClientConnection otherTarget = manager.acquire("orders", this.server.target() + "-replica");
		assertThat(List.of(orders.id(), billing.id(), otherTarget.id())).doesNotHaveDuplicates();
		assertThat(manager.live()).isEqualTo(3);
		assertThat(manager.connections("orders")).containsExactly(orders, otherTarget);
	}

	@Test
	void whenOpeningThenAnUnsharedConnectionIsReturnedThatAcquireNeverHandsOut() {
		ClientConnectionManager manager = manager();
		ClientConnection own = manager.open("orders", this.server.target());
		ClientConnection shared = manager.acquire("orders", this.server.target());
		assertThat(shared).isNotSameAs(own);
		assertThat(manager.open("orders", this.server.target())).isNotSameAs(own);
		assertThat(manager.statistics("orders").live()).isEqualTo(3);
	}

	@Test
	void whenOpeningManyConnectionsThenIdsAreUniqueAndIncreasing() {
		ClientConnectionManager manager = manager(ConnectionManagerSettings.standard().withMaxConnectionsPerService(600));
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			ids.add(manager.open("orders", this.server.target()).id());
		}
		assertThat(ids).doesNotHaveDuplicates().isSorted();
		assertThat(ids.get(0)).isPositive();
	}

	@Test
	void whenLookingUpByIdThenTheOpenConnectionIsFoundUntilItCloses() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		assertThat(manager.find(connection.id())).containsSame(connection);
		connection.close();
		assertThat(manager.find(connection.id())).isEmpty();
	}

	@Test
	void whenCallingThroughTheChannelThenCallsAndLastUseAreRecorded() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		assertThat(connection.lastUsedAt()).isEqualTo(connection.createdAt());
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(EchoServer.echo(connection.channel(), "one")).isEqualTo("one");
		EchoServer.echo(connection.channel(), "two");
		EchoServer.echo(connection.channel(), "three");
		assertThat(connection.calls()).isEqualTo(3);
		assertThat(connection.lastUsedAt()).isEqualTo(this.clock.instant());
		assertThat(manager.statistics("orders").calls()).isEqualTo(3);
	}

	@Test
	void whenACallHasBeenMadeThenTheConnectionIsConnected() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		assertThat(connection.state()).isEqualTo(ConnectionState.IDLE);
		EchoServer.echo(connection.channel(), "hello");
		assertThat(connection.connectivity()).isEqualTo(ConnectivityState.READY);
		assertThat(connection.state()).isEqualTo(ConnectionState.CONNECTED);
	}

	@Test
	void whenClosingByIdThenItIsRemovedCountedAndItsChannelShutDown() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		assertThat(manager.close(connection.id())).isTrue();
		assertThat(manager.close(connection.id())).isFalse();
		assertThat(connection.isClosed()).isTrue();
		assertThat(connection.state()).isEqualTo(ConnectionState.CLOSED);
		assertThat(connection.connectivity()).isEqualTo(ConnectivityState.SHUTDOWN);
		assertThat(manager.connections()).isEmpty();
		assertThat(manager.statistics("orders")).isEqualTo(new ServiceStatistics(0, 1, 1, 1, 0));
		assertThat(manager.live()).isZero();
	}

	@Test
	void whenClosingByServiceThenOnlyThatServiceIsClosed() {
		ClientConnectionManager manager = manager();
		ClientConnection orders = manager.acquire("orders", this.server.target());
		ClientConnection ordersOwn = manager.open("orders", this.server.target());
		ClientConnection billing = manager.acquire("billing", this.server.target());
		assertThat(manager.closeService("orders")).isEqualTo(2);
		assertThat(orders.isClosed()).isTrue();
		assertThat(ordersOwn.isClosed()).isTrue();
		assertThat(billing.isClosed()).isFalse();
		assertThat(manager.connections()).containsExactly(billing);
		assertThat(manager.closeService("unknown")).isZero();
	}

	@Test
	void whenClosingAllThenEveryConnectionIsClosedAndTheManagerStaysUsable() {
		ClientConnectionManager manager = manager();
		ClientConnection orders = manager.acquire("orders", this.server.target());
		ClientConnection billing = manager.acquire("billing", this.server.target());
		assertThat(manager.closeAll()).isEqualTo(2);
		assertThat(orders.isClosed()).isTrue();
		assertThat(billing.isClosed()).isTrue();
		assertThat(manager.live()).isZero();
		assertThat(manager.acquire("orders", this.server.target()).isClosed()).isFalse();
	}

	@Test
	void whenUsingAClosedHandleThenIllegalStateExceptionNamesIdAndService() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		connection.close();
		assertThatIllegalStateException().isThrownBy(connection::channel)
			.withMessage("connection " + connection.id() + " to orders is closed");
	}

	@Test
	void whenCallingOnAClosedHandlesChannelThenUnavailableNamesTheConnection() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		Channel channel = connection.channel();
		connection.close();
		assertThatThrownBy(() -> EchoServer.echo(channel, "late")).isInstanceOfSatisfying(StatusRuntimeException.class,
				(ex) -> {
					assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
					assertThat(ex.getStatus().getDescription())
						.isEqualTo("connection " + connection.id() + " to orders is closed");
				});
		assertThat(connection.calls()).isZero();
	}

	@Test
	void whenAcquiringAfterCloseThenAFreshConnectionWithANewIdIsOpened() {
		ClientConnectionManager manager = manager();
		ClientConnection first = manager.acquire("orders", this.server.target());
		first.close();
		ClientConnection second = manager.acquire("orders", this.server.target());
		assertThat(second).isNotSameAs(first);
		assertThat(second.id()).isGreaterThan(first.id());
		assertThat(EchoServer.echo(second.channel(), "again")).isEqualTo("again");
	}

	@Test
	void whenACallOutlivesTheCloseTimeoutThenItIsCancelled() {
		ClientConnectionManager manager = manager(
				ConnectionManagerSettings.standard().withCloseTimeout(Duration.ofMillis(100)));
		ClientConnection connection = manager.acquire("orders", this.server.target());
		AtomicReference<Status> status = new AtomicReference<>();
		ClientCall<String, String> call = connection.channel().newCall(EchoServer.HOLD, CallOptions.DEFAULT);
		call.start(new ClientCall.Listener<>() {

			@Override
			public void onClose(Status closed, Metadata trailers) {
				status.set(closed);
			}

		}, new Metadata());
		call.sendMessage("wait");
		call.halfClose();
		call.request(1);
		long started = System.nanoTime();
		connection.close();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(90),
				Duration.ofSeconds(5));
		assertThat(status.get()).isNotNull();
		assertThat(status.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
	}

	@Test
	void whenTheManagerIsClosedThenOpenConnectionsAreClosedAndOpeningFails() {
		ClientConnectionManager manager = manager();
		ClientConnection connection = manager.acquire("orders", this.server.target());
		manager.close();
		assertThat(connection.isClosed()).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> manager.acquire("orders", this.server.target()))
			.withMessage("client connection manager is closed");
		assertThatIllegalStateException().isThrownBy(() -> manager.open("orders", this.server.target()));
	}

	@Test
	void whenTheManagerIsClosedThenEveryStillOpenConnectionIsLoggedAsAWarning() {
		Logger logger = (Logger) LoggerFactory.getLogger(ClientConnectionManager.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		try {
			ClientConnectionManager manager = manager();
			ClientConnection orders = manager.acquire("orders", this.server.target());
			ClientConnection billing = manager.acquire("billing", this.server.target());
			EchoServer.echo(billing.channel(), "hello");
			billing.close();
			this.clock.advance(Duration.ofMinutes(3));
			manager.close();
			assertThat(appender.list).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.WARN);
				assertThat(event.getFormattedMessage()).contains(Long.toString(orders.id()), "orders",
						this.server.target(), "PT3M", "0 calls");
			});
		}
		finally {
			logger.detachAppender(appender);
		}
	}

	@Test
	void whenAcquiringByServiceThenTheConfiguredAddressIsUsed() {
		ClientConnectionManager manager = manager(ConnectionManagerSettings.standard()
			.withService("orders", ClientSettings.forAddress(this.server.target())));
		ClientConnection connection = manager.acquire("orders");
		assertThat(connection.target()).isEqualTo(this.server.target());
		assertThat(manager.acquire("orders")).isSameAs(connection);
		assertThat(EchoServer.echo(connection.channel(), "hello")).isEqualTo("hello");
	}

	@Test
	void whenAcquiringByServiceWithoutAnAddressThenTheErrorNamesTheProperty() {
		ClientConnectionManager manager = manager();
		assertThatIllegalArgumentException().isThrownBy(() -> manager.acquire("orders"))
			.withMessage("no address configured for service orders (switchboard.grpc.clients.orders.address)");
		assertThat(manager.live()).isZero();
	}

	@Test
	void whenTheChannelFactoryFailsThenTheSlotIsReleasedAndNothingIsCounted() {
		this.manager = new ClientConnectionManager(ConnectionManagerSettings.standard().withMaxConnectionsPerService(1),
				(target, settings) -> {
					throw new IllegalArgumentException("bad target " + target);
				}, this.clock);
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.acquire("orders", "nowhere"))
			.withMessage("bad target nowhere");
		assertThatIllegalArgumentException().isThrownBy(() -> this.manager.acquire("orders", "nowhere"));
		assertThat(this.manager.statistics("orders")).isEqualTo(ServiceStatistics.NONE);
		assertThat(this.manager.live()).isZero();
	}

	@Test
	void whenAListenerIsRegisteredThenItIsToldOfOpeningAndClosing() {
		ClientConnectionManager manager = manager();
		List<String> events = new ArrayList<>();
		manager.addListener(new ConnectionListener() {

			@Override
			public void opened(ClientConnection connection) {
				events.add("opened " + connection.id());
			}

			@Override
			public void closed(ClientConnection connection) {
				events.add("closed " + connection.id());
			}

		});
		ClientConnection connection = manager.acquire("orders", this.server.target());
		connection.close();
		assertThat(events).containsExactly("opened " + connection.id(), "closed " + connection.id());
	}

}
