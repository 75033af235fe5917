package dev.switchboard.client.registry;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.switchboard.client.connection.ClientConnectionManager;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;

/**
 * The configured registry replicas and where their channels come from. Callers move from one replica to the next
 * with {@link #channel(int)} and an index they advance on failure. Channels are owned by whoever supplies them, in
 * production the process's {@link ClientConnectionManager}, which caches one connection per replica.
 * <p>
 * Thread-safe; {@link #channel(int)} does not block when the supplier does not.
 */
public final class RegistryChannels {

	/** The service name registry connections are counted under in the connection manager. */
	public static final String SERVICE = "registry";

	private final List<String> targets;

	private final Function<String, Channel> channels;

	/**
	 * @param targets registry addresses as gRPC targets ({@code host:port} or {@code dns:///host:port})
	 * @param channels returns the channel to a target, caching as it sees fit
	 */
	public RegistryChannels(List<String> targets, Function<String, Channel> channels) {
		Objects.requireNonNull(targets, "targets");
		if (targets.isEmpty()) {
			throw new IllegalArgumentException("at least one registry address is required");
		}
		this.targets = List.copyOf(targets);
		this.channels = Objects.requireNonNull(channels, "channels");
	}

	/** Channels from {@code manager}: one shared connection per replica, counted under {@link #SERVICE}. */
	public static RegistryChannels managedBy(ClientConnectionManager manager, List<String> targets) {
		return managedBy(manager, targets, null);
	}

	/**
	 * Channels from {@code manager} whose calls carry {@code credentials} (the component's bearer token).
	 * @param credentials may be {@code null} for none
	 */
	public static RegistryChannels managedBy(ClientConnectionManager manager, List<String> targets,
			CallCredentials credentials) {
		Objects.requireNonNull(manager, "manager");
		if (credentials == null) {
			return new RegistryChannels(targets, (target) -> manager.acquire(SERVICE, target).channel());
		}
		ClientInterceptor withToken = new ClientInterceptor() {
			@Override
			public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
					Channel next) {
				return next.newCall(method, options.withCallCredentials(credentials));
			}
		};
		return new RegistryChannels(targets,
				(target) -> ClientInterceptors.intercept(manager.acquire(SERVICE, target).channel(), withToken));
	}

	/** Returns the number of registry replicas. */
	public int size() {
		return this.targets.size();
	}

	/** Returns the address of replica {@code index % size()}. */
	public String target(int index) {
		return this.targets.get(Math.floorMod(index, this.targets.size()));
	}

	/** Returns the channel to replica {@code index % size()}. */
	public Channel channel(int index) {
		return this.channels.apply(target(index));
	}

}
