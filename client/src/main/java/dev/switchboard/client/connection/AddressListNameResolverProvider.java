package dev.switchboard.client.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.function.Function;

import io.grpc.NameResolver;

/**
 * Resolves {@code switchboard-list:///<name>}, the target of an {@link AddressList} published in this process: its
 * addresses now and each time they change, with the list's service config. gRPC loads the no-argument provider from
 * {@code META-INF/services}; a name only resolves in the process that published it. Thread-safe.
 */
public final class AddressListNameResolverProvider extends ListedAddressResolverProvider {

	/** The target scheme this provider resolves. */
	public static final String SCHEME = "switchboard-list";

	/** The provider gRPC loads: {@code host:port} looked up as {@link InetSocketAddress}es. */
	public AddressListNameResolverProvider() {
		this(InetSocketAddress.class, ListedAddressResolverProvider::inet);
	}

	/**
	 * A provider whose addresses are something else, for a channel that sets it itself: in tests, in-process server
	 * names as {@code InProcessSocketAddress}es.
	 * @param addressType the type of address {@code lookup} returns, which the transport must support
	 * @param lookup turns one listed address into the socket addresses of that replica; may block
	 */
	public <A extends SocketAddress> AddressListNameResolverProvider(Class<A> addressType,
			Function<String, List<A>> lookup) {
		super(SCHEME, addressType, lookup);
	}

	/**
	 * @throws IllegalArgumentException when no list is published under the target's name (now)
	 */
	@Override
	NameResolver resolverFor(URI targetUri, NameResolver.Args args) {
		String path = targetUri.getPath();
		AddressList list = (path != null && path.length() > 1) ? AddressList.named(path.substring(1)) : null;
		if (list == null) {
			throw new IllegalArgumentException("no address list is published as " + targetUri);
		}
		return resolver(list.authority(), list::addresses, (changed) -> list.subscribe((addresses) -> changed.run()),
				args, list.serviceConfig());
	}

}
