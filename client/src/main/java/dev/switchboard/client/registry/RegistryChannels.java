package dev.switchboard.client.registry;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.StaticAddressNameResolverProvider;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.MethodDescriptor;

/**
 * The configured registry replicas and the one channel over all of them. The channel's target names every replica
 * ({@link StaticAddressNameResolverProvider}), and its {@code pick_first} policy keeps calls on one reachable replica
 * and moves to the next when that one fails, starting from a replica chosen at random per process. Callers never
 * pick a replica: after a failure they open their call again on the same channel. The channel is owned by whoever
 * supplies it, in production the process's {@link ClientConnectionManager}, which counts it as one connection of
 * {@link #SERVICE}.
 * <p>
 * Thread-safe; {@link #channel()} does not block when the supplier does not.
 */
public final class RegistryChannels {

	/** The service name registry connections are counted under in the connection manager. */
	public static final String SERVICE = "registry";

	private final List<String> addresses;

	private final String target;

	private final Function<String, Channel> channels;

	/**
	 * @param addresses registry replicas as {@code host:port} (a {@code dns:///} prefix is dropped); at least one
	 * @param channels returns the channel to {@link #target()}, the target that names every replica, caching as it
	 * sees fit
	 */
	public RegistryChannels(List<String> addresses, Function<String, Channel> channels) {
		Objects.requireNonNull(addresses, "addresses");
		if (addresses.isEmpty()) {
			throw new IllegalArgumentException("at least one registry address is required");
		}
		this.addresses = List.copyOf(addresses);
		this.target = StaticAddressNameResolverProvider.target(this.addresses);
		this.channels = Objects.requireNonNull(channels, "channels");
	}

	/** The channel from {@code manager}: one shared connection over every replica, counted under {@link #SERVICE}. */
	public static RegistryChannels managedBy(ClientConnectionManager manager, List<String> addresses) {
		return managedBy(manager, addresses, null);
	}

	/**
	 * The channel from {@code manager} whose calls carry {@code credentials} (the component's bearer token).
	 * @param credentials may be {@code null} for none
	 */
	public static RegistryChannels managedBy(ClientConnectionManager manager, List<String> addresses,
			CallCredentials credentials) {
		Objects.requireNonNull(manager, "manager");
		if (credentials == null) {
			return new RegistryChannels(addresses, (target) -> manager.acquire(SERVICE, target).channel());
		}
		ClientInterceptor withToken = new ClientInterceptor() {
			@Override
			public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
					Channel next) {
				return next.newCall(method, options.withCallCredentials(credentials));
			}
		};
		return new RegistryChannels(addresses,
				(target) -> ClientInterceptors.intercept(manager.acquire(SERVICE, target).channel(), withToken));
	}

	/** Returns the registry replicas as configured. */
	public List<String> addresses() {
		return this.addresses;
	}

	/** Returns the gRPC target that names every replica, {@code switchboard-static:///h1:9101,h2:9101}. */
	public String target() {
		return this.target;
	}

	/**
	 * Returns the channel over every replica. Asked again for each call or stream, so a connection the manager
	 * closed (from the actuator, say) is replaced by a fresh one.
	 */
	public Channel channel() {
		return this.channels.apply(this.target);
	}

	/**
	 * Returns the address of the replica {@code call} went to, for log lines, or {@code "(no replica reached)"} while
	 * (or if) it has reached none. Cheap; any thread.
	 */
	public static String replicaOf(ClientCall<?, ?> call) {
		SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
		if (remote instanceof InetSocketAddress inet) {
			return inet.getHostString() + ":" + inet.getPort(); // the name as configured, without "name/ip"
		}
		return (remote != null) ? remote.toString() : "(no replica reached)";
	}

}
