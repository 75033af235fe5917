package dev.switchboard.auth.grant;

import java.util.Objects;

import dev.switchboard.auth.Printable;
import dev.switchboard.common.grpc.RefusalException;

/**
 * What a caller wants to do, as routers and registries ask {@code Authorize}:
 * <ul>
 * <li>{@code call:<group>/<package.Service>/<Method>} — call one method of a service group;</li>
 * <li>{@code register:<group>} — register, heartbeat or deregister an instance of a group;</li>
 * <li>{@code discover} — watch and read the registry;</li>
 * <li>{@code admin} — administer clients and instances.</li>
 * </ul>
 * Immutable.
 *
 * @param kind what sort of action this is
 * @param group the service group of a call or register action, else null
 * @param method the full method name ({@code package.Service/Method}) of a call action, else null
 * @param value the action as written
 */
public record Action(Kind kind, String group, String method, String value) {

	/** The longest action accepted. */
	public static final int MAX_LENGTH = 512;

	private static final Action DISCOVER = new Action(Kind.DISCOVER, null, null, "discover");

	private static final Action ADMIN = new Action(Kind.ADMIN, null, null, "admin");

	public Action {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(value, "value");
	}

	/** The {@code admin} action. */
	public static Action admin() {
		return ADMIN;
	}

	/** The {@code discover} action. */
	public static Action discover() {
		return DISCOVER;
	}

	/**
	 * Parses an action.
	 * @throws RefusalException (INVALID_ARGUMENT) with a one-line reason when {@code action} is none of the forms above
	 */
	public static Action parse(String action) {
		Objects.requireNonNull(action, "action");
		if (action.isEmpty()) {
			throw RefusalException.invalidArgument("action is empty");
		}
		if (action.length() > MAX_LENGTH) {
			throw RefusalException.invalidArgument("action is longer than " + MAX_LENGTH + " characters");
		}
		if (action.equals("discover")) {
			return DISCOVER;
		}
		if (action.equals("admin")) {
			return ADMIN;
		}
		if (action.startsWith("register:")) {
			String group = action.substring("register:".length());
			if (Names.GROUP.matcher(group).matches()) {
				return new Action(Kind.REGISTER, group, null, action);
			}
			throw RefusalException.invalidArgument("action '" + Printable.of(action) + "' does not name a valid group");
		}
		if (action.startsWith("call:")) {
			String rest = action.substring("call:".length());
			int slash = rest.indexOf('/');
			if (slash > 0) {
				String group = rest.substring(0, slash);
				String method = rest.substring(slash + 1);
				if (Names.GROUP.matcher(group).matches() && Names.FULL_METHOD.matcher(method).matches()) {
					return new Action(Kind.CALL, group, method, action);
				}
			}
			throw RefusalException.invalidArgument("action '" + Printable.of(action)
					+ "' is not call:<group>/<package.Service>/<Method>");
		}
		throw RefusalException.invalidArgument("action '" + Printable.of(action)
				+ "' is not call:<group>/<service>/<method>, register:<group>, discover or admin");
	}

	/** The sorts of action, each allowed only by grants of the same sort. */
	public enum Kind {

		CALL, REGISTER, DISCOVER, ADMIN

	}

}
