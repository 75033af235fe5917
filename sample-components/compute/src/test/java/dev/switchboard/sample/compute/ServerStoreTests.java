package dev.switchboard.sample.compute;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.compute.v1.ServerState;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ServerStoreTests {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.123456789Z");

	private static final Duration NEVER = Duration.ofHours(1);

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	@AfterEach
	void stopScheduler() {
		this.scheduler.shutdownNow();
	}

	/**
	 * Returns once the scheduler has run everything scheduled so far within {@code delay}: its one thread runs tasks
	 * of the same delay in the order they were scheduled, so a task scheduled now with that delay runs after them.
	 */
	private void afterScheduledWork(Duration delay) throws Exception {
		this.scheduler.schedule(() -> {
		}, delay.toNanos(), TimeUnit.NANOSECONDS).get(10, TimeUnit.SECONDS);
	}

	private ServerStore store(Duration buildTime) {
		return new ServerStore(this.scheduler, buildTime, this.clock);
	}

	@Test
	void whenCreatedThenBuildingWithIdAndCreationTime() {
		ServerRecord server = store(NEVER).create("web-1", "m1.small", "ubuntu-24.04");
		assertThat(server.id()).hasSize(13);
		assertThat(server.name()).isEqualTo("web-1");
		assertThat(server.flavor()).isEqualTo("m1.small");
		assertThat(server.image()).isEqualTo("ubuntu-24.04");
		assertThat(server.state()).isEqualTo(ServerState.BUILDING);
		assertThat(server.createdAt()).isEqualTo(NOW);
	}

	@Test
	void whenCreatedTwiceThenDistinctIds() {
		ServerStore store = store(NEVER);
		String first = store.create("a", "m1.small", "ubuntu").id();
		assertThat(store.create("a", "m1.small", "ubuntu").id()).isNotEqualTo(first);
	}

	@Test
	void whenBuildTimeNotElapsedThenStillBuilding() {
		ServerStore store = store(NEVER);
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		assertThat(store.get(id).state()).isEqualTo(ServerState.BUILDING);
	}

	@Test
	void whenBuildTimeElapsedThenActive() throws Exception {
		ServerStore store = store(Duration.ofMillis(20));
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		afterScheduledWork(Duration.ofMillis(20));
		assertThat(store.get(id).state()).isEqualTo(ServerState.ACTIVE);
		assertThat(store.get(id).createdAt()).isEqualTo(NOW);
	}

	@Test
	void whenNameEmptyThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("", "m1.small", "ubuntu"), Status.Code.INVALID_ARGUMENT,
				"name is required");
	}

	@Test
	void whenNameBlankThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("   ", "m1.small", "ubuntu"), Status.Code.INVALID_ARGUMENT,
				"name is required");
	}

	@Test
	void whenNameOver63CharactersThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("n".repeat(64), "m1.small", "ubuntu"), Status.Code.INVALID_ARGUMENT,
				"name is 64 characters long; the limit is 63");
	}

	@Test
	void whenName63CharactersThenCreated() {
		assertThat(store(NEVER).create("n".repeat(63), "m1.small", "ubuntu").name()).hasSize(63);
	}

	@Test
	void whenFlavorMissingThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("web-1", "", "ubuntu"), Status.Code.INVALID_ARGUMENT,
				"flavor is required");
	}

	@Test
	void whenImageMissingThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("web-1", "m1.small", null), Status.Code.INVALID_ARGUMENT,
				"image is required");
	}

	@Test
	void whenImageOver255CharactersThenInvalidArgument() {
		assertRefused(() -> store(NEVER).create("web-1", "m1.small", "i".repeat(256)), Status.Code.INVALID_ARGUMENT,
				"image is 256 characters long; the limit is 255");
	}

	@Test
	void whenIdEmptyThenInvalidArgument() {
		assertRefused(() -> store(NEVER).get(""), Status.Code.INVALID_ARGUMENT, "id is required");
	}

	@Test
	void whenGetUnknownIdThenNotFoundNamingId() {
		assertRefused(() -> store(NEVER).get("0NOSUCHSERVER"), Status.Code.NOT_FOUND,
				"server '0NOSUCHSERVER' not found");
	}

	@Test
	void whenListedThenOldestFirst() {
		ServerStore store = store(NEVER);
		String first = store.create("a", "m1.small", "ubuntu").id();
		String second = store.create("b", "m1.small", "ubuntu").id();
		String third = store.create("c", "m1.small", "ubuntu").id();
		assertThat(store.list()).extracting(ServerRecord::id).containsExactly(first, second, third);
	}

	@Test
	void whenDeletedThenReturnedDeletedAndForgotten() {
		ServerStore store = store(NEVER);
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		ServerRecord deleted = store.delete(id);
		assertThat(deleted.id()).isEqualTo(id);
		assertThat(deleted.state()).isEqualTo(ServerState.DELETED);
		assertThat(store.list()).isEmpty();
		assertRefused(() -> store.get(id), Status.Code.NOT_FOUND, "server '" + id + "' not found");
	}

	@Test
	void whenDeletedTwiceThenNotFound() {
		ServerStore store = store(NEVER);
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		store.delete(id);
		assertRefused(() -> store.delete(id), Status.Code.NOT_FOUND, "server '" + id + "' not found");
	}

	@Test
	void whenDeletedWhileBuildingThenBuildNeverFinishes() throws Exception {
		ServerStore store = store(Duration.ofMillis(50));
		BlockingQueue<ServerChange> changes = new LinkedBlockingQueue<>();
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		store.watch(id, changes::add);
		store.delete(id);
		afterScheduledWork(Duration.ofMillis(50));
		assertThat(changes).extracting((change) -> change.server().state())
			.containsExactly(ServerState.BUILDING, ServerState.DELETED);
	}

	@Test
	void whenWatchedThenCurrentStateFirstThenEveryChangeUntilDeleted() throws InterruptedException {
		ServerStore store = store(Duration.ofMillis(150));
		BlockingQueue<ServerChange> changes = new LinkedBlockingQueue<>();
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		store.watch(id, changes::add);
		ServerChange current = changes.poll();
		assertThat(current.server().state()).isEqualTo(ServerState.BUILDING);
		assertThat(current.message()).isEqualTo("current state");
		assertThat(current.isLast()).isFalse();
		ServerChange built = changes.poll(5, TimeUnit.SECONDS);
		assertThat(built.server().state()).isEqualTo(ServerState.ACTIVE);
		assertThat(built.message()).isEqualTo("build finished");
		store.delete(id);
		ServerChange deleted = changes.poll();
		assertThat(deleted.server().state()).isEqualTo(ServerState.DELETED);
		assertThat(deleted.isLast()).isTrue();
		assertThat(changes).isEmpty();
	}

	@Test
	void whenDeletedThenWatchersAreDropped() {
		ServerStore store = store(NEVER);
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		String other = store.create("web-2", "m1.small", "ubuntu").id();
		store.watch(id, (change) -> {
		});
		store.watch(other, (change) -> {
		});
		assertThat(store.watchers()).isEqualTo(2);
		store.delete(id);
		assertThat(store.watchers()).isEqualTo(1);
	}

	@Test
	void whenSubscriptionClosedThenNoMoreChanges() {
		ServerStore store = store(NEVER);
		BlockingQueue<ServerChange> changes = new LinkedBlockingQueue<>();
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		ServerStore.Subscription subscription = store.watch(id, changes::add);
		subscription.close();
		subscription.close();
		store.delete(id);
		assertThat(changes).hasSize(1);
		assertThat(store.watchers()).isZero();
	}

	@Test
	void whenWatcherThrowsThenItIsDroppedAndOthersStillTold() {
		ServerStore store = store(NEVER);
		BlockingQueue<ServerChange> changes = new LinkedBlockingQueue<>();
		String id = store.create("web-1", "m1.small", "ubuntu").id();
		store.watch(id, (change) -> {
			if (change.isLast()) {
				throw new IllegalStateException("watcher gone");
			}
		});
		store.watch(id, changes::add);
		assertThat(store.delete(id).state()).isEqualTo(ServerState.DELETED);
		assertThat(changes).extracting((change) -> change.server().state())
			.containsExactly(ServerState.BUILDING, ServerState.DELETED);
	}

	@Test
	void whenWatchUnknownIdThenNotFound() {
		assertRefused(() -> store(NEVER).watch("0NOSUCHSERVER", (change) -> {
		}), Status.Code.NOT_FOUND, "server '0NOSUCHSERVER' not found");
	}

	@Test
	void whenSchedulerShutDownThenCreateUnavailableAndNothingKept() {
		ServerStore store = store(NEVER);
		this.scheduler.shutdown();
		assertRefused(() -> store.create("web-1", "m1.small", "ubuntu"), Status.Code.UNAVAILABLE,
				"this compute replica is shutting down; use another");
		assertThat(store.list()).isEmpty();
	}

	@Test
	void whenBuildTimeNegativeThenRejected() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> store(Duration.ofMillis(-1)));
	}

	private static void assertRefused(Runnable call, Status.Code code, String reason) {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(call::run).satisfies((ex) -> {
			assertThat(ex.code()).isEqualTo(code);
			assertThat(ex.getMessage()).isEqualTo(reason);
			assertThat(ex.getStackTrace()).isEmpty();
		});
	}

}
