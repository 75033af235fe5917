package dev.switchboard.cli.reflection;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

/**
 * Learns a server's services and message types through gRPC server reflection, so that a client needs no
 * {@code .proto} files. Asks {@code grpc.reflection.v1.ServerReflection} first and, when the server answers
 * {@code UNIMPLEMENTED}, {@code grpc.reflection.v1alpha.ServerReflection} from then on (the two speak the same wire
 * format).
 * <p>
 * A symbol is resolved with {@code file_containing_symbol}; the imports of the files that come back are fetched with
 * {@code file_by_filename} when the server did not send them along, and the files are built with
 * {@link FileDescriptor#buildFrom}. A name the server does not index (grpc-java's reflection leaves out enums) is
 * looked for in the files of all listed services. Files and symbols are cached for the life of the client, so a
 * symbol costs round trips once at most.
 * <p>
 * Every look-up is one short reflection stream on the given channel with the given call options; interceptors on the
 * channel (request metadata such as {@code authorization}) apply to reflection as to any call. Methods block until the
 * server answers or the options' deadline passes. Thread-safe: look-ups are serialized.
 */
public final class ReflectionClient {

	/** The v1 reflection method. */
	static final io.grpc.MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> V1 = ServerReflectionGrpc
		.getServerReflectionInfoMethod();

	/** The v1alpha reflection method, with v1's marshallers: the messages are the same on the wire. */
	static final io.grpc.MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> V1ALPHA = V1.toBuilder()
		.setFullMethodName(io.grpc.MethodDescriptor
			.generateFullMethodName("grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo"))
		.setSchemaDescriptor(null)
		.build();

	private final Channel channel;

	private final CallOptions options;

	private final Map<String, FileDescriptorProto> protos = new HashMap<>();

	private final Map<String, FileDescriptor> files = new HashMap<>();

	private final Map<String, GenericDescriptor> symbols = new HashMap<>();

	private io.grpc.MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> reflection = V1;

	/**
	 * Creates a client; nothing is sent until the first look-up.
	 * @param channel the channel to the server, with whatever interceptors calls need; not shut down by this client
	 * @param options the options of every reflection call, typically with a deadline that bounds all look-ups
	 */
	public ReflectionClient(Channel channel, CallOptions options) {
		this.channel = requireNonNull(channel, "channel");
		this.options = requireNonNull(options, "options");
	}

	/**
	 * Lists the services the server exposes, reflection itself included.
	 * @return the full service names, sorted
	 * @throws StatusRuntimeException when the server or the connection fails the look-up
	 */
	public synchronized List<String> listServices() {
		ServerReflectionResponse response = exchange(ServerReflectionRequest.newBuilder().setListServices("*").build());
		if (!response.hasListServicesResponse()) {
			throw Status.INTERNAL.withDescription("server reflection answered list_services with something else")
				.asRuntimeException();
		}
		return response.getListServicesResponse()
			.getServiceList()
			.stream()
			.map(ServiceResponse::getName)
			.sorted()
			.toList();
	}

	/**
	 * Resolves a fully-qualified name to its descriptor.
	 * @param symbol a service ({@code pkg.Service}), a method ({@code pkg.Service.Method} or
	 * {@code pkg.Service/Method}), a message or an enum, nested ones included ({@code pkg.Outer.Inner}); a leading dot
	 * is ignored
	 * @return a {@link ServiceDescriptor}, {@link MethodDescriptor}, {@link Descriptor} or {@link EnumDescriptor}
	 * @throws StatusRuntimeException {@code NOT_FOUND} when the server does not know the symbol, or the status of a
	 * failed look-up
	 */
	public synchronized GenericDescriptor resolve(String symbol) {
		requireNonNull(symbol, "symbol");
		if (symbol.indexOf('/') >= 0) {
			return resolveMethod(symbol);
		}
		String name = stripLeadingDot(symbol.strip());
		GenericDescriptor known = this.symbols.get(name);
		if (known != null) {
			return known;
		}
		try {
			load(name);
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
				throw ex;
			}
			// grpc-java's reflection knows services, methods and messages but not enums: look in the files it serves
			loadServiceFiles();
			known = this.symbols.get(name);
			if (known == null) {
				throw ex;
			}
			return known;
		}
		known = this.symbols.get(name);
		if (known == null) {
			throw Status.NOT_FOUND
				.withDescription("server reflection answered for '" + name + "' with files that do not define it")
				.asRuntimeException();
		}
		return known;
	}

	/**
	 * Resolves a service.
	 * @param service the full service name, e.g. {@code grpc.health.v1.Health}
	 * @return the service's descriptor
	 * @throws StatusRuntimeException {@code NOT_FOUND} when the server knows no such service, or the status of a
	 * failed look-up
	 */
	public synchronized ServiceDescriptor resolveService(String service) {
		return expect(service, ServiceDescriptor.class, "service");
	}

	/**
	 * Resolves a method.
	 * @param method {@code pkg.Service/Method} (as gRPC names it on the wire) or {@code pkg.Service.Method}
	 * @return the method's descriptor, with its request and response types and streaming kinds
	 * @throws IllegalArgumentException when the name has no service part or no method part
	 * @throws StatusRuntimeException {@code NOT_FOUND} when the server knows no such service or the service has no
	 * such method, or the status of a failed look-up
	 */
	public synchronized MethodDescriptor resolveMethod(String method) {
		requireNonNull(method, "method");
		String name = stripLeadingDot(method.strip());
		int split = (name.indexOf('/') >= 0) ? name.lastIndexOf('/') : name.lastIndexOf('.');
		if (split <= 0 || split == name.length() - 1) {
			throw new IllegalArgumentException("method '" + method + "' is not like package.Service/Method");
		}
		ServiceDescriptor service = resolveService(name.substring(0, split));
		String methodName = name.substring(split + 1);
		MethodDescriptor found = service.findMethodByName(methodName);
		if (found == null) {
			List<String> known = service.getMethods().stream().map(MethodDescriptor::getName).toList();
			throw Status.NOT_FOUND
				.withDescription("service " + service.getFullName() + " has no method " + methodName + "; it has "
						+ String.join(", ", known))
				.asRuntimeException();
		}
		return found;
	}

	/**
	 * Resolves a message type.
	 * @param message the full message name, e.g. {@code grpc.health.v1.HealthCheckRequest}
	 * @return the message's descriptor
	 * @throws StatusRuntimeException {@code NOT_FOUND} when the server knows no such message, or the status of a
	 * failed look-up
	 */
	public synchronized Descriptor resolveMessage(String message) {
		return expect(message, Descriptor.class, "message");
	}

	/** Builds the file that holds a symbol, and its imports. */
	private void load(String symbol) {
		ServerReflectionResponse response = exchange(
				ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
		for (String fileName : remember(response)) {
			build(fileName, new HashSet<>());
		}
	}

	/** Builds the files of every service the server lists, and their imports; skips what cannot be resolved. */
	private void loadServiceFiles() {
		for (String service : listServices()) {
			if (!this.symbols.containsKey(service)) {
				try {
					load(service);
				}
				catch (StatusRuntimeException ex) {
					if (ex.getStatus().getCode() != Status.Code.NOT_FOUND) {
						throw ex;
					}
				}
			}
		}
	}

	private <T extends GenericDescriptor> T expect(String name, Class<T> type, String kind) {
		requireNonNull(name, "name");
		GenericDescriptor descriptor = resolve(name);
		if (!type.isInstance(descriptor)) {
			throw Status.NOT_FOUND
				.withDescription("'" + descriptor.getFullName() + "' is a " + kindOf(descriptor) + ", not a " + kind)
				.asRuntimeException();
		}
		return type.cast(descriptor);
	}

	/** Keeps every file of a file_descriptor_response; returns their names in the order the server sent them. */
	private List<String> remember(ServerReflectionResponse response) {
		List<String> names = new ArrayList<>();
		for (ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
			FileDescriptorProto proto;
			try {
				proto = FileDescriptorProto.parseFrom(bytes);
			}
			catch (InvalidProtocolBufferException ex) {
				throw Status.INTERNAL.withDescription("server reflection sent a file descriptor that does not parse")
					.withCause(ex)
					.asRuntimeException();
			}
			this.protos.putIfAbsent(proto.getName(), proto);
			names.add(proto.getName());
		}
		return names;
	}

	/** Builds a file after its imports, fetching the ones the server has not sent yet. */
	private FileDescriptor build(String fileName, Set<String> importing) {
		FileDescriptor built = this.files.get(fileName);
		if (built != null) {
			return built;
		}
		if (!importing.add(fileName)) {
			throw Status.INTERNAL.withDescription("server reflection sent files that import each other: " + importing)
				.asRuntimeException();
		}
		FileDescriptorProto proto = this.protos.get(fileName);
		if (proto == null) {
			remember(exchange(ServerReflectionRequest.newBuilder().setFileByFilename(fileName).build()));
			proto = this.protos.get(fileName);
			if (proto == null) {
				throw Status.NOT_FOUND
					.withDescription("server reflection answered for file '" + fileName + "' with other files")
					.asRuntimeException();
			}
		}
		List<FileDescriptor> dependencies = new ArrayList<>();
		for (String dependency : proto.getDependencyList()) {
			dependencies.add(build(dependency, importing));
		}
		try {
			built = FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
		}
		catch (DescriptorValidationException ex) {
			throw Status.INTERNAL
				.withDescription(
						"server reflection sent an invalid descriptor for " + fileName + ": " + ex.getMessage())
				.withCause(ex)
				.asRuntimeException();
		}
		importing.remove(fileName);
		this.files.put(fileName, built);
		index(built);
		return built;
	}

	private void index(FileDescriptor file) {
		for (ServiceDescriptor service : file.getServices()) {
			this.symbols.put(service.getFullName(), service);
			for (MethodDescriptor method : service.getMethods()) {
				this.symbols.put(method.getFullName(), method);
			}
		}
		file.getMessageTypes().forEach(this::index);
		file.getEnumTypes().forEach((type) -> this.symbols.put(type.getFullName(), type));
	}

	private void index(Descriptor message) {
		this.symbols.put(message.getFullName(), message);
		message.getNestedTypes().forEach(this::index);
		message.getEnumTypes().forEach((type) -> this.symbols.put(type.getFullName(), type));
	}

	/** One request, one answer; switches to v1alpha for good when v1 is not implemented. */
	private ServerReflectionResponse exchange(ServerReflectionRequest request) {
		try {
			return exchange(this.reflection, request);
		}
		catch (StatusRuntimeException ex) {
			if (this.reflection != V1 || ex.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
				throw ex;
			}
		}
		try {
			ServerReflectionResponse response = exchange(V1ALPHA, request);
			this.reflection = V1ALPHA;
			return response;
		}
		catch (StatusRuntimeException ex) {
			if (ex.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
				throw ex;
			}
			throw Status.UNIMPLEMENTED
				.withDescription("the server offers no reflection service (grpc.reflection.v1 nor v1alpha)")
				.withCause(ex)
				.asRuntimeException();
		}
	}

	private ServerReflectionResponse exchange(
			io.grpc.MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> method,
			ServerReflectionRequest request) {
		CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
		ClientCall<ServerReflectionRequest, ServerReflectionResponse> call = this.channel.newCall(method, this.options);
		// the observer runs on the channel's executor; this thread only waits for the first answer
		StreamObserver<ServerReflectionRequest> requests = ClientCalls.asyncBidiStreamingCall(call,
				new StreamObserver<>() {

					@Override
					public void onNext(ServerReflectionResponse response) {
						answer.complete(response);
					}

					@Override
					public void onError(Throwable error) {
						answer.completeExceptionally(error);
					}

					@Override
					public void onCompleted() {
						answer.completeExceptionally(Status.INTERNAL
							.withDescription("server reflection ended the stream without an answer")
							.asRuntimeException());
					}

				});
		requests.onNext(request);
		requests.onCompleted();
		ServerReflectionResponse response = await(answer, call);
		if (response.hasErrorResponse()) {
			throw Status.fromCodeValue(response.getErrorResponse().getErrorCode())
				.withDescription(
						"cannot resolve " + subject(request) + ": " + response.getErrorResponse().getErrorMessage())
				.asRuntimeException();
		}
		return response;
	}

	private static ServerReflectionResponse await(CompletableFuture<ServerReflectionResponse> answer,
			ClientCall<?, ?> call) {
		try {
			return answer.get();
		}
		catch (InterruptedException ex) {
			call.cancel("interrupted", ex);
			Thread.currentThread().interrupt();
			throw Status.CANCELLED.withDescription("interrupted while waiting for server reflection")
				.withCause(ex)
				.asRuntimeException();
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof StatusRuntimeException status) ? status
					: Status.fromThrowable(ex.getCause()).asRuntimeException();
		}
	}

	private static String subject(ServerReflectionRequest request) {
		return switch (request.getMessageRequestCase()) {
			case FILE_CONTAINING_SYMBOL -> "symbol '" + request.getFileContainingSymbol() + "'";
			case FILE_BY_FILENAME -> "file '" + request.getFileByFilename() + "'";
			default -> request.getMessageRequestCase().name().toLowerCase();
		};
	}

	private static String kindOf(GenericDescriptor descriptor) {
		return switch (descriptor) {
			case ServiceDescriptor service -> "service";
			case MethodDescriptor method -> "method";
			case Descriptor message -> "message";
			case EnumDescriptor type -> "enum";
			default -> descriptor.getClass().getSimpleName();
		};
	}

	private static String stripLeadingDot(String name) {
		return name.startsWith(".") ? name.substring(1) : name;
	}

}
