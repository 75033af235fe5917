package dev.switchboard.registry.client;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * The channels to the configured registry replicas, opened lazily, one per address. Callers move from one replica to
 * the next with {@link #channel(int)} and an index they advance on failure.
 * <p>
 * Thread-safe. {@link #close()} shuts every opened channel down.
 */
public final class RegistryChannels implements AutoCloseable {

	private final List<String> targets;

	private final Function<String, ManagedChannel> factory;

	private final AtomicReferenceArray<ManagedChannel> channels;

	/**
	 * @param targets registry addresses as gRPC targets ({@code host:port} or {@code dns:///host:port})
	 * @param factory opens a channel for a target
	 */
	public RegistryChannels(List<String> targets, Function<String, ManagedChannel> factory) {
		Objects.requireNonNull(targets, "targets");
		if (targets.isEmpty()) {
			throw new IllegalArgumentException("at least one registry address is required");
		}
		this.targets = List.copyOf(targets);
		this.factory = Objects.requireNonNull(factory, "factory");
		this.channels = new AtomicReferenceArray<>(this.targets.size());
	}

	/** Plaintext channels, for local use and tests. */
	public static RegistryChannels plaintext(List<String> targets) {
		return new RegistryChannels(targets, (target) -> ManagedChannelBuilder.forTarget(target).usePlaintext().build());
	}

	/** Returns the number of registry replicas. */
	public int size() {
		return this.targets.size();
	}

	/** Returns the address of replica {@code index % size()}. */
	public String target(int index) {
		return this.targets.get(Math.floorMod(index, this.targets.size()));
	}

	/** Returns the channel to replica {@code index % size()}, opening it on first use. */
	public ManagedChannel channel(int index) {
		int slot = Math.floorMod(index, this.targets.size());
		ManagedChannel channel = this.channels.get(slot);
		if (channel != null) {
			return channel;
		}
		ManagedChannel created = this.factory.apply(this.targets.get(slot));
		if (this.channels.compareAndSet(slot, null, created)) {
			return created;
		}
		created.shutdownNow();
		return this.channels.get(slot);
	}

	@Override
	public void close() {
		for (int i = 0; i < this.channels.length(); i++) {
			ManagedChannel channel = this.channels.getAndSet(i, null);
			if (channel != null) {
				channel.shutdown();
				try {
					if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
						channel.shutdownNow();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					channel.shutdownNow();
				}
			}
		}
	}

}
