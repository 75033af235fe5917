package dev.switchboard.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchboard.client.connection.StaticAddressNameResolverProvider;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.inprocess.InProcessSocketAddress;
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


	private String name;

	private final List<ManagedChannel> resolved = new CopyOnWriteArrayList<>();

	@Override
	public void beforeEach(ExtensionContext context) {
		String name = "registry-" + UUID.randomUUID();
		this.name = name;
		this.registry = new FakeRegistry();
		try {
			this.server = InProcessServerBuilder.forName(name).directExecutor().addService(this.registry).build().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
	}

	@Override
	public void afterEach(ExtensionContext context) throws InterruptedException {
		this.channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		for (ManagedChannel resolvedChannel : this.resolved) {
			resolvedChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		this.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	public FakeRegistry registry() {
		return this.registry;
	}

	/** A channel to the registry. */
	public Channel channel() {
		return this.channel;
	}

	/** The in-process name of the registry; with {@code "-gone"} appended, the name of one that is not there. */
	public String name() {
		return this.name;
	}

	/**
	 * A channel to a {@link dev.switchboard.client.registry.RegistryChannels#target() target naming replicas}, here
	 * in-process names, resolved and balanced as production does it over real addresses.
	 */
	@SuppressWarnings("deprecation") // gRPC offers no other per-channel resolver; production loads it by its scheme
	public Channel channelTo(String target) {
		ManagedChannel channel = InProcessChannelBuilder.forTarget(target)
			.nameResolverFactory(new StaticAddressNameResolverProvider(InProcessSocketAddress.class,
					(replica) -> List.of(new InProcessSocketAddress(replica))))
			.directExecutor()
			.build();
		this.resolved.add(channel);
		return channel;
	}

}
