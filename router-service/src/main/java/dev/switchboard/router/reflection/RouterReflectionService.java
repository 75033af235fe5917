package dev.switchboard.router.reflection;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.balancer.ReplicaSelector;
import dev.switchboard.router.proxy.ReplicaChannels;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTable;
import io.grpc.Status;
import io.grpc.reflection.v1.ErrorResponse;
import io.grpc.reflection.v1.FileDescriptorResponse;
import io.grpc.reflection.v1.ListServiceResponse;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;

/**
 * Server reflection for the whole platform, through the router: {@code list} answers every service some group
 * registered (and the router's own); symbol, file and extension requests go to a replica of the group that serves
 * them, whose answers are relayed. Files a group answered with are remembered per stream, so the follow-up requests
 * for their dependencies reach the same group. A client that knows no protos can thus discover and call anything via
 * the router.
 * <p>
 * Reflection is not on the forwarding path; each stream's requests are handled one at a time by gRPC and answers
 * (local or relayed) are sent under the stream's monitor.
 */
public final class RouterReflectionService extends ServerReflectionGrpc.ServerReflectionImplBase {

	private final Supplier<RoutingTable> table;

	private final ReplicaSelector selector;

	private final ReplicaChannels channels;

	private final List<FileDescriptor> localFiles;

	/**
	 * @param table the routing table in force
	 * @param selector picks the replica that answers for a group
	 * @param channels channels to replicas
	 * @param localFiles the files of the services the router serves itself
	 */
	public RouterReflectionService(Supplier<RoutingTable> table, ReplicaSelector selector, ReplicaChannels channels,
			List<FileDescriptor> localFiles) {
		this.table = Objects.requireNonNull(table, "table");
		this.selector = Objects.requireNonNull(selector, "selector");
		this.channels = Objects.requireNonNull(channels, "channels");
		this.localFiles = List.copyOf(localFiles);
	}

	@Override
	public StreamObserver<ServerReflectionRequest> serverReflectionInfo(
			StreamObserver<ServerReflectionResponse> responses) {
		return new Session(responses);
	}

	/** Returns the group serving {@code symbol}: a service, one of its methods, or a type in a service's package. */
	static String groupForSymbol(RoutingTable table, String symbol) {
		String direct = table.groupOf(symbol);
		if (direct != null) {
			return direct;
		}
		int dot = symbol.lastIndexOf('.');
		if (dot > 0) {
			String parent = table.groupOf(symbol.substring(0, dot));
			if (parent != null) {
				return parent;
			}
		}
		// a message or enum: the group whose service shares the longest package prefix
		String best = null;
		int bestLength = 0;
		for (Map.Entry<String, String> entry : table.groupByService().entrySet()) {
			String service = entry.getKey();
			int serviceDot = service.lastIndexOf('.');
			String servicePackage = (serviceDot > 0) ? service.substring(0, serviceDot) : "";
			if (symbol.startsWith(servicePackage + ".") && servicePackage.length() > bestLength) {
				best = entry.getValue();
				bestLength = servicePackage.length();
			}
		}
		return best;
	}

	/** One client's reflection stream. */
	private final class Session implements StreamObserver<ServerReflectionRequest> {

		private final StreamObserver<ServerReflectionResponse> responses;

		private final Map<String, StreamObserver<ServerReflectionRequest>> upstreams = new HashMap<>();

		private final Map<String, String> fileOwners = new HashMap<>();

		private boolean done;

		private boolean halfClosed;

		Session(StreamObserver<ServerReflectionResponse> responses) {
			this.responses = responses;
		}

		@Override
		public void onNext(ServerReflectionRequest request) {
			RoutingTable current = RouterReflectionService.this.table.get();
			switch (request.getMessageRequestCase()) {
				case LIST_SERVICES -> respond(request, listServices(current));
				case FILE_CONTAINING_SYMBOL -> {
					String symbol = request.getFileContainingSymbol();
					FileDescriptor local = localFileWith(symbol);
					if (local != null) {
						respond(request, withDependencies(local));
					}
					else {
						forward(request, groupForSymbol(current, symbol), "symbol '" + symbol + "'");
					}
				}
				case FILE_BY_FILENAME -> {
					String name = request.getFileByFilename();
					FileDescriptor local = localFile(name);
					if (local != null) {
						respond(request, withDependencies(local));
					}
					else {
						forward(request, ownerOf(name), "file '" + name + "'");
					}
				}
				case FILE_CONTAINING_EXTENSION -> forward(request,
						groupForSymbol(current, request.getFileContainingExtension().getContainingType()),
						"type '" + request.getFileContainingExtension().getContainingType() + "'");
				case ALL_EXTENSION_NUMBERS_OF_TYPE -> forward(request,
						groupForSymbol(current, request.getAllExtensionNumbersOfType()),
						"type '" + request.getAllExtensionNumbersOfType() + "'");
				default -> respondError(request, Status.Code.INVALID_ARGUMENT, "unsupported reflection request");
			}
		}

		private String ownerOf(String filename) {
			String owner;
			synchronized (this) {
				owner = this.fileOwners.get(filename);
			}
			return owner;
		}

		private ServerReflectionResponse.Builder listServices(RoutingTable current) {
			Set<String> names = new TreeSet<>(current.groupByService().keySet());
			for (FileDescriptor file : RouterReflectionService.this.localFiles) {
				file.getServices().forEach((service) -> names.add(service.getFullName()));
			}
			ListServiceResponse.Builder list = ListServiceResponse.newBuilder();
			names.forEach((name) -> list.addService(ServiceResponse.newBuilder().setName(name)));
			return ServerReflectionResponse.newBuilder().setListServicesResponse(list);
		}

		private synchronized void forward(ServerReflectionRequest request, String group, String what) {
			GroupRoute route = (group != null) ? RouterReflectionService.this.table.get().group(group) : null;
			if (route == null) {
				respondError(request, Status.Code.NOT_FOUND, "no group serves " + what);
				return;
			}
			StreamObserver<ServerReflectionRequest> upstream = this.upstreams.get(group);
			if (upstream == null) {
				Replica replica = RouterReflectionService.this.selector.select(route, null);
				if (replica == null) {
					respondError(request, Status.Code.UNAVAILABLE, "group '" + group + "' has no UP replica");
					return;
				}
				upstream = ServerReflectionGrpc.newStub(RouterReflectionService.this.channels.channel(replica))
					.serverReflectionInfo(new Relay(group));
				this.upstreams.put(group, upstream);
			}
			upstream.onNext(request);
		}

		private void respond(ServerReflectionRequest request, ServerReflectionResponse.Builder response) {
			send(response.setValidHost(request.getHost()).setOriginalRequest(request).build());
		}

		private void respondError(ServerReflectionRequest request, Status.Code code, String message) {
			respond(request, ServerReflectionResponse.newBuilder()
				.setErrorResponse(ErrorResponse.newBuilder().setErrorCode(code.value()).setErrorMessage(message)));
		}

		private synchronized void send(ServerReflectionResponse response) {
			if (!this.done) {
				this.responses.onNext(response);
			}
		}

		@Override
		public synchronized void onError(Throwable error) {
			this.done = true;
			this.upstreams.values().forEach((upstream) -> upstream.onError(error));
			this.upstreams.clear();
		}

		/** The client is done asking: half-close every upstream and finish once they have all answered. */
		@Override
		public synchronized void onCompleted() {
			this.halfClosed = true;
			List.copyOf(this.upstreams.values()).forEach(StreamObserver::onCompleted);
			finishIfDone();
		}

		private void finishIfDone() {
			if (this.halfClosed && this.upstreams.isEmpty() && !this.done) {
				this.done = true;
				this.responses.onCompleted();
			}
		}

		private synchronized void upstreamEnded(String group) {
			this.upstreams.remove(group);
			finishIfDone();
		}

		/** Answers of one group's replica, relayed; the files it names are remembered as that group's. */
		private final class Relay implements StreamObserver<ServerReflectionResponse> {

			private final String group;

			Relay(String group) {
				this.group = group;
			}

			@Override
			public void onNext(ServerReflectionResponse response) {
				if (response.hasFileDescriptorResponse()) {
					for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
						try {
							String name = FileDescriptorProto.parseFrom(bytes).getName();
							synchronized (Session.this) {
								Session.this.fileOwners.put(name, this.group);
							}
						}
						catch (InvalidProtocolBufferException ex) {
							// relayed as is; the client will judge it
						}
					}
				}
				send(response);
			}

			@Override
			public void onError(Throwable error) {
				upstreamEnded(this.group);
			}

			@Override
			public void onCompleted() {
				upstreamEnded(this.group);
			}

		}

	}

	private FileDescriptor localFileWith(String symbol) {
		for (FileDescriptor file : this.localFiles) {
			for (var service : file.getServices()) {
				if (symbol.equals(service.getFullName()) || symbol.startsWith(service.getFullName() + ".")) {
					return file;
				}
			}
			for (var type : file.getMessageTypes()) {
				if (symbol.equals(type.getFullName())) {
					return file;
				}
			}
		}
		return null;
	}

	private FileDescriptor localFile(String name) {
		Deque<FileDescriptor> pending = new ArrayDeque<>(this.localFiles);
		Set<String> seen = new LinkedHashSet<>();
		while (!pending.isEmpty()) {
			FileDescriptor file = pending.pop();
			if (!seen.add(file.getName())) {
				continue;
			}
			if (file.getName().equals(name)) {
				return file;
			}
			pending.addAll(file.getDependencies());
		}
		return null;
	}

	/** The file and every file it depends on, as reflection answers them. */
	private static ServerReflectionResponse.Builder withDependencies(FileDescriptor file) {
		FileDescriptorResponse.Builder files = FileDescriptorResponse.newBuilder();
		Deque<FileDescriptor> pending = new ArrayDeque<>(List.of(file));
		Set<String> seen = new LinkedHashSet<>();
		while (!pending.isEmpty()) {
			FileDescriptor next = pending.pop();
			if (seen.add(next.getName())) {
				files.addFileDescriptorProto(next.toProto().toByteString());
				pending.addAll(next.getDependencies());
			}
		}
		return ServerReflectionResponse.newBuilder().setFileDescriptorResponse(files);
	}

}
