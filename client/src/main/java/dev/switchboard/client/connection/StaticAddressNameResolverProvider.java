package dev.switchboard.client.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;

/**
 * Resolves a fixed list of addresses, {@code switchboard-static:///h1:9101,h2:9101}, so one channel spans every
 * replica of a service that has no name of its own for all of them (the registry). Each address becomes one
 * {@link EquivalentAddressGroup}, its authority the address as written (what TLS checks and {@code :authority}
 * carries, as with a channel to that address alone). The resolution carries the {@code pick_first} policy with
 * {@code shuffleAddressList}: a channel keeps its calls on one reachable replica, moves to the next when that one
 * fails, and each process starts on a replica of its own chance, so processes spread over the replicas.
 * <p>
 * Host names are looked up when the channel starts and again whenever it asks (pick_first does when a connection
 * fails); see {@link ListedAddressNameResolver}.
 * <p>
 * gRPC loads the no-argument provider from {@code META-INF/services}. Thread-safe.
 */
public final class StaticAddressNameResolverProvider extends ListedAddressResolverProvider {

	/** The target scheme this provider resolves. */
	public static final String SCHEME = "switchboard-static";

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

	/** The provider gRPC loads: {@code host:port} (or {@code [v6]:port}) looked up as {@link InetSocketAddress}es. */
	public StaticAddressNameResolverProvider() {
		this(InetSocketAddress.class, ListedAddressResolverProvider::inet);
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
		super(SCHEME, addressType, lookup);
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
	NameResolver resolverFor(URI targetUri, NameResolver.Args args) {
		String path = targetUri.getPath();
		if (path == null || !path.startsWith("/") || path.length() == 1) {
			throw new IllegalArgumentException("expected " + SCHEME + ":///host:port,host:port, got " + targetUri);
		}
		List<String> addresses = List.of(path.substring(1).split(",", -1));
		if (addresses.stream().anyMatch(String::isEmpty)) {
			throw new IllegalArgumentException("empty address in " + targetUri);
		}
		return resolver(addresses.get(0), () -> addresses, null, args, SERVICE_CONFIG);
	}

}
