package dev.switchboard.client.connection;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * A list of {@code host:port} addresses that changes while channels use it, as the UP replicas of a group do in the
 * registry's view: one channel targets the list ({@link #target()}, resolved by {@link AddressListNameResolverProvider})
 * and gRPC's load-balancing policy, named by the list's service config, spreads calls over what it holds now and
 * moves off a replica that fails. The list is published process-wide under a random name until {@link #close()}, as
 * gRPC's in-process server names are: a target names exactly one list, and only this process can resolve it.
 * <p>
 * Thread-safe. {@link #set} tells every channel on the list at once.
 */
public final class AddressList implements AutoCloseable {

	private static final ConcurrentMap<String, AddressList> published = new ConcurrentHashMap<>();

	private final String name = UUID.randomUUID().toString();

	private final String authority;

	private final Map<String, ?> serviceConfig;

	private final Set<Consumer<List<String>>> listeners = ConcurrentHashMap.newKeySet();

	private volatile List<String> addresses;

	private AddressList(String authority, Map<String, ?> serviceConfig, List<String> addresses) {
		this.authority = Objects.requireNonNull(authority, "authority");
		this.serviceConfig = Map.copyOf(serviceConfig);
		this.addresses = List.copyOf(addresses);
	}

	/**
	 * Publishes a list for channels to target.
	 * @param authority what the channel calls the service as a whole (each replica's connection carries its own
	 * address as its authority)
	 * @param serviceConfig the gRPC service config of every channel on the list: its load-balancing policy and its
	 * methods' retry or hedging
	 * @param addresses the addresses now, {@code host:port}; may be empty
	 */
	public static AddressList publish(String authority, Map<String, ?> serviceConfig, List<String> addresses) {
		AddressList list = new AddressList(authority, serviceConfig, addresses);
		published.put(list.name, list);
		return list;
	}

	/** The list published under {@code name}, or {@code null}. */
	static AddressList named(String name) {
		return published.get(name);
	}

	/** Returns the target a channel over this list is made for: {@code switchboard-list:///<name>}. */
	public String target() {
		return AddressListNameResolverProvider.SCHEME + ":///" + this.name;
	}

	/** Returns the addresses now. */
	public List<String> addresses() {
		return this.addresses;
	}

	/** Replaces the addresses; the channels on the list hear of it when they differ from the last ones. */
	public void set(List<String> addresses) {
		List<String> next = List.copyOf(addresses);
		if (next.equals(this.addresses)) {
			return;
		}
		this.addresses = next;
		this.listeners.forEach((listener) -> listener.accept(next));
	}

	String authority() {
		return this.authority;
	}

	Map<String, ?> serviceConfig() {
		return this.serviceConfig;
	}

	/** Calls {@code listener} with each new list until the returned handle runs. */
	Runnable subscribe(Consumer<List<String>> listener) {
		this.listeners.add(listener);
		return () -> this.listeners.remove(listener);
	}

	/** Unpublishes the list: channels made for it from now on fail to resolve; those open keep the last addresses. */
	@Override
	public void close() {
		published.remove(this.name, this);
	}

}
