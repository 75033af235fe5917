package dev.switchboard.auth.grant;

import java.util.Objects;
import java.util.Set;

import dev.switchboard.auth.Printable;
import dev.switchboard.common.grpc.RefusalException;

/**
 * A permission held by a client:
 * <ul>
 * <li>{@code call:<group>/<method glob>} — call the methods of {@code group} (or of every group with {@code *}) whose
 * full name ({@code package.Service/Method}) matches the glob, e.g. {@code call:compute/*} or
 * {@code call:compute/switchboard.sample.compute.v1.Compute/Get*};</li>
 * <li>{@code register:<group>} or {@code register:*} — register instances of the group (of any group but the
 * platform's own, {@link #PLATFORM_GROUPS}, which only their exact grant reaches);</li>
 * <li>{@code discover} — watch and read the registry;</li>
 * <li>{@code admin} — administer clients and instances. It does not imply any other grant.</li>
 * </ul>
 * Immutable.
 *
 * @param kind the sort of action this grant allows
 * @param group the group of a call or register grant, {@code *} for any, else null
 * @param methods the method glob of a call grant, else null
 * @param value the grant as written
 */
public record Grant(Action.Kind kind, String group, Glob methods, String value) {

	/** The longest grant accepted. */
	public static final int MAX_LENGTH = 320;

	/** The platform's own groups: no wildcard register grant reaches them. */
	public static final Set<String> PLATFORM_GROUPS = Set.of("auth", "router", "registry");

	private static final String ANY_GROUP = "*";

	public Grant {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(value, "value");
	}

	/**
	 * Parses a grant.
	 * @throws RefusalException (INVALID_ARGUMENT) with a one-line reason when {@code grant} is none of the forms above
	 */
	public static Grant parse(String grant) {
		Objects.requireNonNull(grant, "grant");
		if (grant.isEmpty()) {
			throw RefusalException.invalidArgument("grant is empty");
		}
		if (grant.length() > MAX_LENGTH) {
			throw RefusalException.invalidArgument("grant is longer than " + MAX_LENGTH + " characters");
		}
		if (grant.equals("discover")) {
			return new Grant(Action.Kind.DISCOVER, null, null, grant);
		}
		if (grant.equals("admin")) {
			return new Grant(Action.Kind.ADMIN, null, null, grant);
		}
		if (grant.startsWith("register:")) {
			String group = grant.substring("register:".length());
			if (isGroup(group)) {
				return new Grant(Action.Kind.REGISTER, group, null, grant);
			}
			throw RefusalException.invalidArgument(
					"grant '" + Printable.of(grant) + "' does not name a valid group or *");
		}
		if (grant.startsWith("call:")) {
			String rest = grant.substring("call:".length());
			int slash = rest.indexOf('/');
			if (slash > 0) {
				String group = rest.substring(0, slash);
				String methods = rest.substring(slash + 1);
				if (isGroup(group) && Names.METHOD_GLOB.matcher(methods).matches()) {
					return new Grant(Action.Kind.CALL, group, new Glob(methods), grant);
				}
			}
			throw RefusalException.invalidArgument("grant '" + Printable.of(grant)
					+ "' is not call:<group or *>/<method glob of letters, digits, '_', '.', '/' and '*'>");
		}
		throw RefusalException.invalidArgument("grant '" + Printable.of(grant)
				+ "' is not call:<group>/<method glob>, register:<group>, discover or admin");
	}

	private static boolean isGroup(String group) {
		return ANY_GROUP.equals(group) || Names.GROUP.matcher(group).matches();
	}

	/** Returns whether this grant allows {@code action}. */
	public boolean allows(Action action) {
		if (action.kind() != this.kind) {
			return false;
		}
		return switch (this.kind) {
			case DISCOVER, ADMIN -> true;
			case REGISTER -> this.group.equals(action.group())
					|| (ANY_GROUP.equals(this.group) && !PLATFORM_GROUPS.contains(action.group()));
			case CALL -> groupMatches(action.group()) && this.methods.matches(action.method());
		};
	}

	private boolean groupMatches(String group) {
		return ANY_GROUP.equals(this.group) || this.group.equals(group);
	}

}
