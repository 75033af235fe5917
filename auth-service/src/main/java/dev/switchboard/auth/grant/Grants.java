package dev.switchboard.auth.grant;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import dev.switchboard.client.auth.Action;
import dev.switchboard.client.grpc.RefusalException;

/**
 * The grants of one client, parsed once. Immutable and thread-safe.
 */
public final class Grants {

	private static final Grants NONE = new Grants(List.of());

	private final List<Grant> grants;

	private Grants(List<Grant> grants) {
		this.grants = grants;
	}

	/** No grant at all. */
	public static Grants none() {
		return NONE;
	}

	/**
	 * Parses stored grants.
	 * @throws RefusalException (INVALID_ARGUMENT) when one of them is not a valid grant
	 */
	public static Grants parse(Collection<String> grants) {
		List<Grant> parsed = new ArrayList<>(grants.size());
		for (String grant : grants) {
			parsed.add(Grant.parse(grant));
		}
		return new Grants(List.copyOf(parsed));
	}

	/** Returns the first grant that allows {@code action}, if any. */
	public Optional<Grant> firstAllowing(Action action) {
		for (Grant grant : this.grants) {
			if (grant.allows(action)) {
				return Optional.of(grant);
			}
		}
		return Optional.empty();
	}

	/** Returns the grants as written, in the order given. */
	public List<String> values() {
		return this.grants.stream().map(Grant::value).toList();
	}

}
