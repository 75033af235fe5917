package dev.switchboard.sample.volume;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.sample.volume.v1.VolumeState;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class VolumeStoreTests {

	private final VolumeStore store = new VolumeStore();

	@Test
	void whenCreatedThenAvailableAndUnattached() {
		VolumeRecord volume = this.store.create("data-1", 100);
		assertThat(volume.id()).hasSize(13);
		assertThat(volume.name()).isEqualTo("data-1");
		assertThat(volume.sizeGb()).isEqualTo(100);
		assertThat(volume.state()).isEqualTo(VolumeState.AVAILABLE);
		assertThat(volume.attachedTo()).isEmpty();
	}

	@Test
	void whenNameEmptyThenInvalidArgument() {
		assertRefused(() -> this.store.create("", 10), Status.Code.INVALID_ARGUMENT, "name is required");
	}

	@Test
	void whenNameOver63CharactersThenInvalidArgument() {
		assertRefused(() -> this.store.create("v".repeat(64), 10), Status.Code.INVALID_ARGUMENT,
				"name is 64 characters long; the limit is 63");
	}

	@Test
	void whenSizeZeroThenInvalidArgument() {
		assertRefused(() -> this.store.create("data-1", 0), Status.Code.INVALID_ARGUMENT,
				"size_gb must be between 1 and 16384, was 0");
	}

	@Test
	void whenSizeOver16384ThenInvalidArgument() {
		assertRefused(() -> this.store.create("data-1", 16385), Status.Code.INVALID_ARGUMENT,
				"size_gb must be between 1 and 16384, was 16385");
	}

	@Test
	void whenSizeAtBoundsThenCreated() {
		assertThat(this.store.create("smallest", 1).sizeGb()).isEqualTo(1);
		assertThat(this.store.create("largest", 16384).sizeGb()).isEqualTo(16384);
	}

	@Test
	void whenAttachedThenInUseByServer() {
		String id = this.store.create("data-1", 10).id();
		VolumeRecord attached = this.store.attach(id, "0SERVER000001");
		assertThat(attached.state()).isEqualTo(VolumeState.IN_USE);
		assertThat(attached.attachedTo()).isEqualTo("0SERVER000001");
		assertThat(this.store.list()).containsExactly(attached);
	}

	@Test
	void whenAttachedAgainToSameServerThenUnchanged() {
		String id = this.store.create("data-1", 10).id();
		VolumeRecord attached = this.store.attach(id, "0SERVER000001");
		assertThat(this.store.attach(id, "0SERVER000001")).isEqualTo(attached);
	}

	@Test
	void whenAttachedToAnotherServerThenFailedPreconditionAndAttachmentKept() {
		String id = this.store.create("data-1", 10).id();
		this.store.attach(id, "0SERVER000001");
		assertRefused(() -> this.store.attach(id, "0SERVER000002"), Status.Code.FAILED_PRECONDITION,
				"volume '" + id + "' is attached to server '0SERVER000001'");
		assertThat(this.store.list().get(0).attachedTo()).isEqualTo("0SERVER000001");
	}

	@Test
	void whenAttachUnknownVolumeThenNotFoundNamingId() {
		assertRefused(() -> this.store.attach("0NOSUCHVOLUME", "0SERVER000001"), Status.Code.NOT_FOUND,
				"volume '0NOSUCHVOLUME' not found");
	}

	@Test
	void whenAttachWithoutVolumeIdThenInvalidArgument() {
		assertRefused(() -> this.store.attach("", "0SERVER000001"), Status.Code.INVALID_ARGUMENT,
				"volume_id is required");
	}

	@Test
	void whenAttachWithoutServerIdThenInvalidArgument() {
		String id = this.store.create("data-1", 10).id();
		assertRefused(() -> this.store.attach(id, " "), Status.Code.INVALID_ARGUMENT, "server_id is required");
	}

	@Test
	void whenListedThenOldestFirst() {
		String first = this.store.create("a", 1).id();
		String second = this.store.create("b", 1).id();
		String third = this.store.create("c", 1).id();
		assertThat(this.store.list()).extracting(VolumeRecord::id).containsExactly(first, second, third);
	}

	@Test
	void whenServersRaceToAttachThenExactlyOneWins() throws Exception {
		String id = this.store.create("data-1", 10).id();
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Boolean>> attempts = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				String server = "server-" + i;
				attempts.add(() -> {
					try {
						this.store.attach(id, server);
						return true;
					}
					catch (RefusalException ex) {
						return false;
					}
				});
			}
			int wins = 0;
			for (Future<Boolean> attempt : pool.invokeAll(attempts)) {
				wins += attempt.get() ? 1 : 0;
			}
			assertThat(wins).isEqualTo(1);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static void assertRefused(Runnable call, Status.Code code, String reason) {
		assertThatExceptionOfType(RefusalException.class).isThrownBy(call::run).satisfies((ex) -> {
			assertThat(ex.code()).isEqualTo(code);
			assertThat(ex.getMessage()).isEqualTo(reason);
			assertThat(ex.getStackTrace()).isEmpty();
		});
	}

}
