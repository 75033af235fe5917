package dev.switchboard.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link FakeRegistry} on an in-process gRPC server with a unique name, started before and torn down after each
 * test. Register with {@code @RegisterExtension}.
 */
public final class InProcessRegistryExtension implements BeforeEachCallback, AfterEachCallback {

	private FakeRegistry registry;

	private Server server;

	private ManagedChannel channel;

	private ManagedChannel unreachable;

	@Override
	public void beforeEach(ExtensionContext context) {
		String name = "registry-" + UUID.randomUUID();
		this.registry = new FakeRegistry();
		try {
			this.server = InProcessServerBuilder.forName(name).directExecutor().addService(this.registry).build().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
		this.unreachable = InProcessChannelBuilder.forName(name + "-gone").directExecutor().build();
	}

	@Override
	public void afterEach(ExtensionContext context) throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.unreachable.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	public FakeRegistry registry() {
		return this.registry;
	}

	/** A channel to the registry. */
	public Channel channel() {
		return this.channel;
	}

	/** A channel to a registry replica that is not there. */
	public Channel unreachableChannel() {
		return this.unreachable;
	}

}
