package dev.switchboard.sample.volume;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.switchboard.sample.volume.v1.AttachVolumeRequest;
import dev.switchboard.sample.volume.v1.CreateVolumeRequest;
import dev.switchboard.sample.volume.v1.ListVolumesRequest;
import dev.switchboard.sample.volume.v1.StorageVolume;
import dev.switchboard.sample.volume.v1.VolumeGrpc;
import dev.switchboard.sample.volume.v1.VolumeState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

class VolumeGrpcServiceTests {

	private static final String REPLICA = "volume-10.0.0.8-41002";

	/** The servers compute knows, as far as these tests are concerned. */
	private static final java.util.Set<String> KNOWN_SERVERS = java.util.Set.of("0SERVER000001", "0SERVER000002");

	private Server server;

	private ManagedChannel channel;

	private VolumeGrpc.VolumeBlockingStub volumes;

	@BeforeEach
	void start() throws IOException {
		start(() -> REPLICA);
	}

	private void start(Supplier<String> servedBy) throws IOException {
		String name = InProcessServerBuilder.generateName();
		this.server = InProcessServerBuilder.forName(name)
			.directExecutor()
			.addService(new VolumeGrpcService(new VolumeStore(), KNOWN_SERVERS::contains, servedBy))
			.build()
			.start();
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.volumes = VolumeGrpc.newBlockingStub(this.channel);
	}

	@AfterEach
	void cleanUp() throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	private StorageVolume create(String name, int sizeGb) {
		return this.volumes.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeGb(sizeGb).build());
	}

	private StorageVolume attach(String volumeId, String serverId) {
		return this.volumes
			.attachVolume(AttachVolumeRequest.newBuilder().setVolumeId(volumeId).setServerId(serverId).build());
	}

	@Test
	void whenVolumeCreatedThenAvailableAndServedByThisReplica() {
		StorageVolume created = create("data-1", 100);
		assertThat(created.getId()).isNotEmpty();
		assertThat(created.getName()).isEqualTo("data-1");
		assertThat(created.getSizeGb()).isEqualTo(100);
		assertThat(created.getState()).isEqualTo(VolumeState.AVAILABLE);
		assertThat(created.getAttachedTo()).isEmpty();
		assertThat(created.getServedBy()).isEqualTo(REPLICA);
	}

	@Test
	void whenNameEmptyThenInvalidArgument() {
		assertStatus(() -> create("", 10), Status.Code.INVALID_ARGUMENT, "name is required");
	}

	@Test
	void whenSizeMissingThenInvalidArgument() {
		assertStatus(() -> create("data-1", 0), Status.Code.INVALID_ARGUMENT,
				"size_gb must be between 1 and 16384, was 0");
	}

	@Test
	void whenSizeNegativeThenInvalidArgument() {
		assertStatus(() -> create("data-1", -5), Status.Code.INVALID_ARGUMENT,
				"size_gb must be between 1 and 16384, was -5");
	}

	@Test
	void whenAttachedThenInUseByServerAndServedByThisReplica() {
		String id = create("data-1", 10).getId();
		StorageVolume attached = attach(id, "0SERVER000001");
		assertThat(attached.getState()).isEqualTo(VolumeState.IN_USE);
		assertThat(attached.getAttachedTo()).isEqualTo("0SERVER000001");
		assertThat(attached.getServedBy()).isEqualTo(REPLICA);
	}

	@Test
	void whenAttachedToAnotherServerThenFailedPrecondition() {
		String id = create("data-1", 10).getId();
		attach(id, "0SERVER000001");
		assertStatus(() -> attach(id, "0SERVER000002"), Status.Code.FAILED_PRECONDITION,
				"volume '" + id + "' is attached to server '0SERVER000001'");
	}

	@Test
	void whenAttachedAgainToSameServerThenOk() {
		String id = create("data-1", 10).getId();
		attach(id, "0SERVER000001");
		assertThat(attach(id, "0SERVER000001").getAttachedTo()).isEqualTo("0SERVER000001");
	}

	@Test
	void whenAttachUnknownVolumeThenNotFoundNamingId() {
		assertStatus(() -> attach("0NOSUCHVOLUME", "0SERVER000001"), Status.Code.NOT_FOUND,
				"volume '0NOSUCHVOLUME' not found");
	}

	@Test
	void whenAttachWithoutServerIdThenInvalidArgument() {
		String id = create("data-1", 10).getId();
		assertStatus(() -> attach(id, ""), Status.Code.INVALID_ARGUMENT, "server_id is required");
	}

	@Test
	void whenListedThenEveryVolumeServedByThisReplicaOldestFirst() {
		String first = create("data-1", 10).getId();
		String second = attach(create("data-2", 20).getId(), "0SERVER000001").getId();
		assertThat(this.volumes.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList())
			.allSatisfy((volume) -> assertThat(volume.getServedBy()).isEqualTo(REPLICA))
			.extracting(StorageVolume::getId, StorageVolume::getState)
			.containsExactly(tuple(first, VolumeState.AVAILABLE),
					tuple(second, VolumeState.IN_USE));
	}

	@Test
	void whenServerUnknownToComputeThenNotFoundAndVolumeStaysAvailable() {
		String id = create("data-3", 10).getId();
		assertStatus(() -> attach(id, "0NOSUCHSERVER"), Status.Code.NOT_FOUND,
				"server '0NOSUCHSERVER' not found on any compute replica");
		assertThat(this.volumes.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumes(0).getState())
			.isEqualTo(VolumeState.AVAILABLE);
	}

	@Test
	void whenServiceFailsUnexpectedlyThenInternalWithoutDetails() throws Exception {
		cleanUp();
		start(() -> {
			throw new IllegalStateException("secret detail");
		});
		assertThatExceptionOfType(StatusRuntimeException.class)
			.isThrownBy(() -> this.volumes.listVolumes(ListVolumesRequest.getDefaultInstance()))
			.satisfies((ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
				assertThat(ex.getStatus().getDescription()).isEqualTo("internal volume error");
				assertThat(ex.getStatus().getCause()).isNull();
				assertThat(ex.getTrailers().toString()).doesNotContain("secret");
			});
	}

	private static void assertStatus(Runnable call, Status.Code code, String description) {
		assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(call::run).satisfies((ex) -> {
			assertThat(ex.getStatus().getCode()).isEqualTo(code);
			assertThat(ex.getStatus().getDescription()).isEqualTo(description);
		});
	}

}
