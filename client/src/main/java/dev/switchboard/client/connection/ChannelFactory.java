package dev.switchboard.client.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;

/**
 * Opens the channel behind a new client connection. The {@link ClientConnectionManager} owns what it returns: it
 * wraps the channel, counts its calls and shuts it down.
 * <p>
 * Implementations must be thread-safe and must not block: the manager calls them on the thread that opens the
 * connection, possibly while other threads wait for the same service and target.
 */
@FunctionalInterface
public interface ChannelFactory {

	/**
	 * Returns a new channel to {@code target}.
	 * @param target the gRPC target to connect to
	 * @param settings the effective settings of the service (defaults already applied)
	 */
	ManagedChannel create(String target, ClientSettings settings);

	/**
	 * Returns a new channel to {@code target} for {@code service}, the name the manager counts it under (a platform
	 * group, for channels to replicas); by default the service is not looked at.
	 * @param service the service the channel is opened for
	 * @param target the gRPC target to connect to
	 * @param settings the effective settings of the service (defaults already applied)
	 */
	default ManagedChannel create(String service, String target, ClientSettings settings) {
		return create(target, settings);
	}

	/**
	 * Returns the factory that uses {@link Grpc#newChannelBuilder} with insecure or TLS credentials, so whichever
	 * transport is on the class path (Netty, shaded Netty, OkHttp) is used, and applies keepalive, idle timeout and
	 * the inbound message limit when set.
	 */
	static ChannelFactory grpc() {
		return grpc((builder) -> {
		});
	}

	/**
	 * Returns the {@link #grpc()} factory with {@code customizer} applied to every builder after the settings, for
	 * interceptors, executors or user agents.
	 */
	static ChannelFactory grpc(Consumer<ManagedChannelBuilder<?>> customizer) {
		return grpc((service, settings) -> null, customizer);
	}

	/**
	 * Returns the {@link #grpc()} factory with channel credentials chosen per service by {@code credentials} (the
	 * platform identity's mutual TLS, for instance); where it returns {@code null}, the settings' TLS decides.
	 */
	static ChannelFactory grpc(BiFunction<String, ClientSettings, ChannelCredentials> credentials,
			Consumer<ManagedChannelBuilder<?>> customizer) {
		Objects.requireNonNull(credentials, "credentials");
		Objects.requireNonNull(customizer, "customizer");
		return new ChannelFactory() {

			@Override
			public ManagedChannel create(String target, ClientSettings settings) {
				return build(target, settings, credentials(settings), customizer);
			}

			@Override
			public ManagedChannel create(String service, String target, ClientSettings settings) {
				ChannelCredentials chosen = credentials.apply(service, settings);
				return build(target, settings, (chosen != null) ? chosen : credentials(settings), customizer);
			}

		};
	}

	private static ManagedChannel build(String target, ClientSettings settings, ChannelCredentials channelCredentials,
			Consumer<ManagedChannelBuilder<?>> customizer) {
		ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, channelCredentials);
		if (settings.keepaliveTime() != null) {
			builder.keepAliveTime(settings.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS);
		}
		if (settings.keepaliveTimeout() != null) {
			builder.keepAliveTimeout(settings.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		if (settings.idleTimeout() != null) {
			builder.idleTimeout(settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		if (settings.maxInboundMessageSize() != null) {
			builder.maxInboundMessageSize(settings.maxInboundMessageSize());
		}
		customizer.accept(builder);
		return builder.build();
	}

	private static ChannelCredentials credentials(ClientSettings settings) {
		if (!settings.tlsEnabled()) {
			return InsecureChannelCredentials.create();
		}
		if (settings.tls().trustCertificates() == null) {
			return TlsChannelCredentials.create();
		}
		try {
			return TlsChannelCredentials.newBuilder().trustManager(settings.tls().trustCertificates().toFile()).build();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read trust certificates " + settings.tls().trustCertificates(), ex);
		}
	}

}
