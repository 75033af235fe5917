package dev.switchboard.cli.testing;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchboard.cli.ChannelOpener;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * In-process gRPC servers under unique names, and channels to them, all shut down after each test. Servers and
 * channels run callbacks on the calling thread ({@code directExecutor()}).
 */
public final class InProcessGrpcExtension implements AfterEachCallback {

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

	/**
	 * Starts a server.
	 * @param interceptor sees every call to every service
	 * @param services the services
	 * @return the server's name, for {@link #channel} and {@link #opener}
	 * @throws IOException if the server does not start
	 */
	public String start(ServerInterceptor interceptor, BindableService... services) throws IOException {
		String name = "switchboard-cli-test-" + UUID.randomUUID();
		InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
		for (BindableService service : services) {
			builder.addService(ServerInterceptors.intercept(service, interceptor));
		}
		this.servers.add(builder.build().start());
		return name;
	}

	/**
	 * Opens a channel to a server, closed after the test.
	 * @param name the server's name
	 * @return the channel
	 */
	public ManagedChannel channel(String name) {
		ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.channels.add(channel);
		return channel;
	}

	/**
	 * An opener that ignores the target and TLS and connects to a server.
	 * @param name the server's name
	 * @return the opener
	 */
	public ChannelOpener opener(String name) {
		return (target, tls) -> channel(name);
	}

	@Override
	public void afterEach(ExtensionContext context) throws InterruptedException {
		for (ManagedChannel channel : this.channels) {
			channel.shutdownNow();
		}
		for (Server server : this.servers) {
			server.shutdownNow();
		}
		for (ManagedChannel channel : this.channels) {
			channel.awaitTermination(5, TimeUnit.SECONDS);
		}
		for (Server server : this.servers) {
			server.awaitTermination(5, TimeUnit.SECONDS);
		}
		this.channels.clear();
		this.servers.clear();
	}

}
