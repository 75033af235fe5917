package dev.switchboard.sample.volume;

import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.common.grpc.UnaryReplies;
import dev.switchboard.sample.volume.v1.AttachVolumeRequest;
import dev.switchboard.sample.volume.v1.CreateVolumeRequest;
import dev.switchboard.sample.volume.v1.ListVolumesRequest;
import dev.switchboard.sample.volume.v1.ListVolumesResponse;
import dev.switchboard.sample.volume.v1.StorageVolume;
import dev.switchboard.sample.volume.v1.VolumeGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code switchboard.sample.volume.v1.Volume} service over a {@link VolumeStore}. Every reply names the replica
 * that served it in {@code served_by}.
 * <p>
 * Errors are sent with {@code onError}, never thrown, so they reach the caller the same way with or without Spring's
 * exception handling: refusals keep their code and one-line reason, anything unexpected becomes {@code INTERNAL}
 * without details (logged here).
 */
final class VolumeGrpcService extends VolumeGrpc.VolumeImplBase {

	private static final Logger logger = LoggerFactory.getLogger(VolumeGrpcService.class);

	private final VolumeStore store;

	private final ServerDirectory servers;

	private final Supplier<String> servedBy;

	/**
	 * @param store holds the volumes
	 * @param servers says whether a compute server exists, before a volume is attached to it
	 * @param servedBy the name of this replica, asked on every reply
	 */
	VolumeGrpcService(VolumeStore store, ServerDirectory servers, Supplier<String> servedBy) {
		this.store = Objects.requireNonNull(store, "store");
		this.servers = Objects.requireNonNull(servers, "servers");
		this.servedBy = Objects.requireNonNull(servedBy, "servedBy");
	}

	@Override
	public void createVolume(CreateVolumeRequest request, StreamObserver<StorageVolume> responses) {
		reply(responses,
				() -> this.store.create(request.getName(), request.getSizeGb()).toProto(this.servedBy.get()));
	}

	@Override
	public void attachVolume(AttachVolumeRequest request, StreamObserver<StorageVolume> responses) {
		reply(responses, () -> {
			this.store.checkAttachable(request.getVolumeId(), request.getServerId());
			if (!this.servers.exists(request.getServerId())) {
				throw VolumeException.serverNotFound(request.getServerId());
			}
			return this.store.attach(request.getVolumeId(), request.getServerId()).toProto(this.servedBy.get());
		});
	}

	@Override
	public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> responses) {
		reply(responses, () -> {
			String replica = this.servedBy.get();
			ListVolumesResponse.Builder response = ListVolumesResponse.newBuilder();
			this.store.list().forEach((volume) -> response.addVolumes(volume.toProto(replica)));
			return response.build();
		});
	}

	private static <T> void reply(StreamObserver<T> responses, Supplier<T> call) {
		UnaryReplies.reply(responses, call, VolumeGrpcService::toStatus);
	}

	/** The one place where this service turns exceptions into statuses. */
	static Status toStatus(RuntimeException exception) {
		return UnaryReplies.statusOf(exception, logger, "volume");
	}

}
