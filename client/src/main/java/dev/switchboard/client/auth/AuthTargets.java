package dev.switchboard.client.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The auth replicas a {@link CachingAuthorizer} asks: those registered in group {@code auth} and UP, then the
 * configured fallback addresses, each once. The fallbacks matter when the registry lists no auth replica at all, for
 * instance right after the registry replica they heartbeated to died: auth must still be reachable to authorize
 * their registering again, so every auth replica of a deployment belongs in the fallback list.
 */
public final class AuthTargets {

	private AuthTargets() {
	}

	/**
	 * @param registered the {@code host:port} of each UP auth replica the registry lists now, asked on every call
	 * @param fallback addresses to try after them
	 * @return the targets, registered ones first
	 */
	public static Supplier<List<String>> registeredThen(Supplier<? extends Collection<String>> registered,
			List<String> fallback) {
		Objects.requireNonNull(registered, "registered");
		List<String> fallbacks = List.copyOf(fallback);
		return () -> {
			Set<String> targets = new LinkedHashSet<>(registered.get());
			targets.addAll(fallbacks);
			return new ArrayList<>(targets);
		};
	}

}
