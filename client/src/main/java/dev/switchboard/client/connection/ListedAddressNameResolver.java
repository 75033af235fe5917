package dev.switchboard.client.connection;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's resolver over a list of {@code host:port} addresses, fixed ({@link StaticAddressNameResolverProvider})
 * or changing ({@link AddressList}). Each address becomes one {@link EquivalentAddressGroup}, its authority the address
 * as written (what TLS checks and {@code :authority} carries, as with a channel to that address alone). Host names are
 * looked up when the channel starts, whenever it asks (a policy does when a connection fails) and when the list
 * changes, on the channel's offload executor, never on its synchronization context, where the resolver's state is
 * confined. An address that does not resolve is left out until it does; when none does the channel hears
 * {@code UNAVAILABLE} and retries with its backoff.
 */
final class ListedAddressNameResolver extends NameResolver {

	private static final Logger logger = LoggerFactory.getLogger(ListedAddressNameResolver.class);

	private final String authority;

	private final Supplier<List<String>> addresses;

	private final @Nullable Function<Runnable, Runnable> subscribe;

	private final Function<String, List<? extends SocketAddress>> lookup;

	private final Executor executor;

	private final SynchronizationContext context;

	private final ConfigOrError serviceConfig;

	private Listener2 listener;

	private @Nullable Runnable unsubscribe;

	private boolean resolving;

	/** Whether the list changed while a lookup ran, so another must follow it. */
	private boolean stale;

	private boolean shutdown;

	/** What was reported last, so a lookup that finds the same addresses does not reset the channel's policy. */
	private List<List<SocketAddress>> reported;

	/**
	 * @param authority the channel's authority
	 * @param addresses the addresses now, read at each resolution
	 * @param subscribe when the list changes: calls the runnable it is given on each change and returns what stops
	 * that; {@code null} for a fixed list
	 * @param lookup turns one address into the socket addresses of that replica; may block; throws when it does not
	 * resolve (now)
	 * @param serviceConfig the service config every resolution carries
	 */
	ListedAddressNameResolver(String authority, Supplier<List<String>> addresses,
			@Nullable Function<Runnable, Runnable> subscribe, Function<String, List<? extends SocketAddress>> lookup,
			NameResolver.Args args, ConfigOrError serviceConfig) {
		this.authority = Objects.requireNonNull(authority, "authority");
		this.addresses = Objects.requireNonNull(addresses, "addresses");
		this.subscribe = subscribe;
		this.lookup = Objects.requireNonNull(lookup, "lookup");
		this.executor = (args.getOffloadExecutor() != null) ? args.getOffloadExecutor() : ForkJoinPool.commonPool();
		this.context = args.getSynchronizationContext();
		this.serviceConfig = serviceConfig;
	}

	@Override
	public String getServiceAuthority() {
		return this.authority;
	}

	@Override
	public void start(Listener2 listener) {
		this.listener = Objects.requireNonNull(listener, "listener");
		if (this.subscribe != null) {
			this.unsubscribe = this.subscribe.apply(() -> this.context.execute(this::changed));
		}
		resolve();
	}

	@Override
	public void refresh() {
		resolve();
	}

	@Override
	public void shutdown() {
		this.shutdown = true;
		if (this.unsubscribe != null) {
			this.unsubscribe.run();
		}
	}

	private void changed() {
		if (this.resolving) {
			this.stale = true;
		}
		else {
			resolve();
		}
	}

	private void resolve() {
		if (this.resolving || this.shutdown || this.listener == null) {
			return;
		}
		this.resolving = true;
		this.stale = false;
		List<String> listed = this.addresses.get();
		this.executor.execute(() -> {
			List<List<SocketAddress>> found = new ArrayList<>(listed.size());
			List<String> missing = new ArrayList<>();
			for (String address : listed) {
				try {
					found.add(List.copyOf(this.lookup.apply(address)));
				}
				catch (RuntimeException ex) {
					found.add(List.of());
					missing.add(address + " (" + ex.getMessage() + ")");
				}
			}
			this.context.execute(() -> report(listed, found, missing));
		});
	}

	private void report(List<String> listed, List<List<SocketAddress>> found, List<String> missing) {
		this.resolving = false;
		if (this.shutdown) {
			return;
		}
		if (this.stale) {
			resolve();
			return;
		}
		List<EquivalentAddressGroup> groups = new ArrayList<>(found.size());
		for (int i = 0; i < found.size(); i++) {
			if (!found.get(i).isEmpty()) {
				groups.add(new EquivalentAddressGroup(found.get(i),
						Attributes.newBuilder().set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, listed.get(i)).build()));
			}
		}
		if (groups.isEmpty()) {
			this.reported = null;
			this.listener.onError(Status.UNAVAILABLE.withDescription(
					listed.isEmpty() ? "no address listed" : "no address resolves: " + missing));
			return;
		}
		if (!missing.isEmpty()) {
			logger.debug("Left out addresses that do not resolve: {}", missing);
		}
		if (found.equals(this.reported)) {
			return;
		}
		this.reported = found;
		this.listener.onResult2(ResolutionResult.newBuilder()
			.setAddressesOrError(StatusOr.fromValue(groups))
			.setServiceConfig(this.serviceConfig)
			.build());
	}

}
