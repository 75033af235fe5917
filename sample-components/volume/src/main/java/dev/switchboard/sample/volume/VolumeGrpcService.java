package dev.switchboard.sample.volume;

import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.sample.volume.v1.AttachVolumeRequest;
import dev.switchboard.sample.volume.v1.CreateVolumeRequest;
import dev.switchboard.sample.volume.v1.ListVolumesRequest;
import dev.switchboard.sample.volume.v1.ListVolumesResponse;
import dev.switchboard.sample.volume.v1.StorageVolume;
import dev.switchboard.sample.volume.v1.VolumeGrpc;
import io.grpc.stub.StreamObserver;

/**
 * The {@code switchboard.sample.volume.v1.Volume} service over a {@link VolumeStore}. Every reply names the replica
 * that served it in {@code served_by}.
 * <p>
 * Errors are sent with {@code onError}, never thrown, so they reach the caller the same way with or without Spring's
 * exception handling: refusals keep their code and one-line reason, anything unexpected becomes {@code INTERNAL}
 * without details (logged here).
 */
final class VolumeGrpcService extends VolumeGrpc.VolumeImplBase {

	/** The one place where this service turns exceptions into statuses. */
	private static final ServiceExceptionHandler exceptions = ServiceExceptionHandler.of("volume");

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
		exceptions.reply(responses,
				() -> this.store.create(request.getName(), request.getSizeGb()).toProto(this.servedBy.get()));
	}

	@Override
	public void attachVolume(AttachVolumeRequest request, StreamObserver<StorageVolume> responses) {
		exceptions.reply(responses, () -> {
			this.store.checkAttachable(request.getVolumeId(), request.getServerId());
			if (!this.servers.exists(request.getServerId())) {
				throw RefusalException
					.notFound("server '" + request.getServerId() + "' not found on any compute replica");
			}
			return this.store.attach(request.getVolumeId(), request.getServerId()).toProto(this.servedBy.get());
		});
	}

	@Override
	public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> responses) {
		exceptions.reply(responses, () -> {
			String replica = this.servedBy.get();
			ListVolumesResponse.Builder response = ListVolumesResponse.newBuilder();
			this.store.list().forEach((volume) -> response.addVolumes(volume.toProto(replica)));
			return response.build();
		});
	}

}
