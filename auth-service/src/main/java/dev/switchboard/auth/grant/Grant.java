package dev.switchboard.auth.grant;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import dev.switchboard.client.auth.Action;
import dev.switchboard.client.grpc.Printable;
import dev.switchboard.client.grpc.RefusalException;

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

	/** A method glob: the characters of full method names plus {@code *}. */
	private static final Pattern METHOD_GLOB = Pattern.compile("[A-Za-z0-9_.*/]+");

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
		Action.Kind kind = Action.Kind.of(grant);
		if (kind == null) {
			throw RefusalException.invalidArgument("grant '" + Printable.of(grant)
					+ "' is not call:<group>/<method glob>, register:<group>, discover or admin");
		}
		String rest = kind.rest(grant);
		return switch (kind) {
			case DISCOVER, ADMIN -> new Grant(kind, null, null, grant);
			case REGISTER -> {
				if (!isGroup(rest)) {
					throw RefusalException.invalidArgument(
							"grant '" + Printable.of(grant) + "' does not name a valid group or *");
				}
				yield new Grant(kind, rest, null, grant);
			}
			case CALL -> {
				int slash = rest.indexOf('/');
				String group = (slash > 0) ? rest.substring(0, slash) : null;
				String methods = (slash > 0) ? rest.substring(slash + 1) : null;
				if (group == null || !isGroup(group) || !METHOD_GLOB.matcher(methods).matches()) {
					throw RefusalException.invalidArgument("grant '" + Printable.of(grant)
							+ "' is not call:<group or *>/<method glob of letters, digits, '_', '.', '/' and '*'>");
				}
				yield new Grant(kind, group, new Glob(methods), grant);
			}
		};
	}

	private static boolean isGroup(String group) {
		return ANY_GROUP.equals(group) || Action.GROUP.matcher(group).matches();
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
