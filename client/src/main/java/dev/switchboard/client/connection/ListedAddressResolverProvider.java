package dev.switchboard.client.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;

/**
 * What Switchboard's resolvers of address lists share: a scheme of their own, the type of address they produce, and
 * how one listed address is looked up ({@link ListedAddressNameResolver} does the resolving). gRPC loads them from
 * {@code META-INF/services}: grpc-java has no public per-channel resolver registry (only the deprecated
 * {@code nameResolverFactory}), and {@code Grpc.newChannelBuilder} asks the default registry which transport the
 * scheme's addresses need. Their schemes are Switchboard's own, so no other target changes. Thread-safe.
 */
abstract class ListedAddressResolverProvider extends NameResolverProvider {

	private final String scheme;

	private final Class<? extends SocketAddress> addressType;

	private final Function<String, List<? extends SocketAddress>> lookup;

	/**
	 * @param addressType the type of address {@code lookup} returns, which the transport must support
	 * @param lookup turns one listed address into the socket addresses of that replica; may block; throws when the
	 * address does not resolve (now)
	 */
	<A extends SocketAddress> ListedAddressResolverProvider(String scheme, Class<A> addressType,
			Function<String, List<A>> lookup) {
		this.scheme = Objects.requireNonNull(scheme, "scheme");
		this.addressType = Objects.requireNonNull(addressType, "addressType");
		Objects.requireNonNull(lookup, "lookup");
		this.lookup = lookup::apply;
	}

	@Override
	public final NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
		return this.scheme.equals(targetUri.getScheme()) ? resolverFor(targetUri, args) : null;
	}

	/** The resolver of a target of this provider's scheme. */
	abstract NameResolver resolverFor(URI targetUri, NameResolver.Args args);

	/** A resolver of {@code addresses} with this provider's lookup. */
	final NameResolver resolver(String authority, Supplier<List<String>> addresses,
			Function<Runnable, Runnable> subscribe, NameResolver.Args args, Map<String, ?> serviceConfig) {
		return new ListedAddressNameResolver(authority, addresses, subscribe, this.lookup, args,
				args.getServiceConfigParser().parseServiceConfig(serviceConfig));
	}

	@Override
	protected final boolean isAvailable() {
		return true;
	}

	/** Below DNS's 5, so the default registry's default scheme (the highest priority's) stays {@code dns}. */
	@Override
	protected final int priority() {
		return 3;
	}

	@Override
	public final String getScheme() {
		return this.scheme;
	}

	@Override
	public final String getDefaultScheme() {
		return this.scheme;
	}

	@Override
	public final Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
		return List.of(this.addressType);
	}

	/** Looks {@code host:port} (or {@code [v6]:port}) up as {@link InetSocketAddress}es; blocks on DNS for a name. */
	static List<InetSocketAddress> inet(String address) {
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

}
