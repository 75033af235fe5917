package dev.switchboard.client.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a fixed list of addresses, {@code switchboard-static:///h1:9101,h2:9101}, so one channel spans every
 * replica of a service that has no name of its own for all of them (the registry). Each address becomes one
 * {@link EquivalentAddressGroup}, its authority the address as written (what TLS checks and {@code :authority}
 * carries, as with a channel to that address alone). The resolution carries the {@code pick_first} policy with
 * {@code shuffleAddressList}: a channel keeps its calls on one reachable replica, moves to the next when that one
 * fails, and each process starts on a replica of its own chance, so processes spread over the replicas.
 * <p>
 * Host names are looked up when the channel starts and again whenever it asks (pick_first does when a connection
 * fails), on the channel's offload executor, never on its synchronization context. An address that does not resolve
 * is left out until it does; when none resolves the channel hears {@code UNAVAILABLE} and retries with its backoff.
 * <p>
 * gRPC loads the no-argument provider from {@code META-INF/services}: grpc-java has no public per-channel resolver
 * registry (only the deprecated {@code nameResolverFactory}), and {@code Grpc.newChannelBuilder} asks the default
 * registry which transport the scheme's addresses need. The scheme is Switchboard's own, so no other target changes.
 * Thread-safe.
 */
public final class StaticAddressNameResolverProvider extends NameResolverProvider {

	/** The target scheme this provider resolves. */
	public static final String SCHEME = "switchboard-static";

	private static final Logger logger = LoggerFactory.getLogger(StaticAddressNameResolverProvider.class);

	private static final String DNS_PREFIX = "dns:///";

	/**
	 * pick_first over the resolved replicas, in an order shuffled per channel; a call that fails {@code UNAVAILABLE}
	 * before any answer (its replica went away as it started) is tried again, by then on the next replica. gRPC
	 * retries only what is not committed: a stream that had an answer fails to its caller, which opens it again.
	 */
	private static final Map<String, ?> SERVICE_CONFIG = Map.of(
			"loadBalancingConfig", List.of(Map.of("pick_first", Map.of("shuffleAddressList", true))),
			"methodConfig", List.of(Map.of("name", List.of(Map.of()), "retryPolicy", Map.of(
					"maxAttempts", 3.0, "initialBackoff", "0.05s", "maxBackoff", "0.5s", "backoffMultiplier", 2.0,
					"retryableStatusCodes", List.of("UNAVAILABLE")))));

	private final Class<? extends SocketAddress> addressType;

	private final Function<String, List<? extends SocketAddress>> lookup;

	/** The provider gRPC loads: {@code host:port} (or {@code [v6]:port}) looked up as {@link InetSocketAddress}es. */
	public StaticAddressNameResolverProvider() {
		this(InetSocketAddress.class, StaticAddressNameResolverProvider::inet);
	}

	/**
	 * A provider whose addresses are something else, for a channel that sets it itself: in tests, in-process server
	 * names as {@code InProcessSocketAddress}es.
	 * @param addressType the type of address {@code lookup} returns, which the transport must support
	 * @param lookup turns one listed address into the socket addresses of that replica; may block; throws when the
	 * address does not resolve (now)
	 */
	public <A extends SocketAddress> StaticAddressNameResolverProvider(Class<A> addressType,
			Function<String, List<A>> lookup) {
		this.addressType = Objects.requireNonNull(addressType, "addressType");
		Objects.requireNonNull(lookup, "lookup");
		this.lookup = lookup::apply;
	}

	/**
	 * Returns the target that names every address of {@code addresses}, in order.
	 * @param addresses {@code host:port} (a {@code dns:///} prefix is dropped); at least one
	 * @throws IllegalArgumentException if the list is empty or an address is blank or holds a comma or whitespace
	 */
	public static String target(List<String> addresses) {
		Objects.requireNonNull(addresses, "addresses");
		if (addresses.isEmpty()) {
			throw new IllegalArgumentException("at least one address is required");
		}
		List<String> plain = new ArrayList<>(addresses.size());
		for (String address : addresses) {
			String stripped = Objects.requireNonNull(address, "address").strip();
			if (stripped.startsWith(DNS_PREFIX)) {
				stripped = stripped.substring(DNS_PREFIX.length());
			}
			if (stripped.isEmpty() || stripped.chars().anyMatch((c) -> c == ',' || Character.isWhitespace(c))) {
				throw new IllegalArgumentException("not an address: '" + address + "'");
			}
			plain.add(stripped);
		}
		return SCHEME + ":///" + String.join(",", plain);
	}

	@Override
	public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
		if (!SCHEME.equals(targetUri.getScheme())) {
			return null;
		}
		String path = targetUri.getPath();
		if (path == null || !path.startsWith("/") || path.length() == 1) {
			throw new IllegalArgumentException("expected " + SCHEME + ":///host:port,host:port, got " + targetUri);
		}
		List<String> addresses = Arrays.asList(path.substring(1).split(","));
		if (addresses.stream().anyMatch(String::isEmpty)) {
			throw new IllegalArgumentException("empty address in " + targetUri);
		}
		Executor executor = (args.getOffloadExecutor() != null) ? args.getOffloadExecutor() : ForkJoinPool.commonPool();
		return new StaticAddressNameResolver(List.copyOf(addresses), this.lookup, executor,
				args.getSynchronizationContext(), args.getServiceConfigParser().parseServiceConfig(SERVICE_CONFIG));
	}

	@Override
	protected boolean isAvailable() {
		return true;
	}

	/** Below DNS's 5, so the default registry's default scheme (the highest priority's) stays {@code dns}. */
	@Override
	protected int priority() {
		return 3;
	}

	@Override
	public String getScheme() {
		return SCHEME;
	}

	@Override
	public String getDefaultScheme() {
		return SCHEME;
	}

	@Override
	public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
		return List.of(this.addressType);
	}

	private static List<InetSocketAddress> inet(String address) {
		int colon = address.lastIndexOf(':');
		if (colon <= 0 || colon == address.length() - 1) {
			throw new IllegalArgumentException("not host:port: '" + address + "'");
		}
		String host = address.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = Integer.parseInt(address.substring(colon + 1));
		try {
			return Arrays.stream(InetAddress.getAllByName(host)).map((ip) -> new InetSocketAddress(ip, port)).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * One channel's resolver. Its state is confined to the channel's synchronization context; lookups run on the
	 * offload executor and hand their result back to the context.
	 */
	private static final class StaticAddressNameResolver extends NameResolver {

		private final List<String> addresses;

		private final Function<String, List<? extends SocketAddress>> lookup;

		private final Executor executor;

		private final SynchronizationContext context;

		private final ConfigOrError serviceConfig;

		private Listener2 listener;

		private boolean resolving;

		private boolean shutdown;

		/** What was reported last, so a lookup that finds the same addresses does not reshuffle the channel. */
		private List<List<SocketAddress>> reported;

		StaticAddressNameResolver(List<String> addresses, Function<String, List<? extends SocketAddress>> lookup,
				Executor executor, SynchronizationContext context, ConfigOrError serviceConfig) {
			this.addresses = addresses;
			this.lookup = lookup;
			this.executor = executor;
			this.context = context;
			this.serviceConfig = serviceConfig;
		}

		@Override
		public String getServiceAuthority() {
			return this.addresses.get(0);
		}

		@Override
		public void start(Listener2 listener) {
			this.listener = Objects.requireNonNull(listener, "listener");
			resolve();
		}

		@Override
		public void refresh() {
			resolve();
		}

		@Override
		public void shutdown() {
			this.shutdown = true;
		}

		private void resolve() {
			if (this.resolving || this.shutdown || this.listener == null) {
				return;
			}
			this.resolving = true;
			this.executor.execute(() -> {
				List<List<SocketAddress>> found = new ArrayList<>(this.addresses.size());
				List<String> missing = new ArrayList<>();
				for (String address : this.addresses) {
					try {
						found.add(List.copyOf(this.lookup.apply(address)));
					}
					catch (RuntimeException ex) {
						found.add(List.of());
						missing.add(address + " (" + ex.getMessage() + ")");
					}
				}
				this.context.execute(() -> report(found, missing));
			});
		}

		private void report(List<List<SocketAddress>> found, List<String> missing) {
			this.resolving = false;
			if (this.shutdown) {
				return;
			}
			List<EquivalentAddressGroup> groups = new ArrayList<>(found.size());
			for (int i = 0; i < found.size(); i++) {
				if (!found.get(i).isEmpty()) {
					groups.add(new EquivalentAddressGroup(found.get(i), Attributes.newBuilder()
						.set(EquivalentAddressGroup.ATTR_AUTHORITY_OVERRIDE, this.addresses.get(i))
						.build()));
				}
			}
			if (groups.isEmpty()) {
				this.reported = null;
				this.listener.onError(Status.UNAVAILABLE.withDescription("no address resolves: " + missing));
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

}
