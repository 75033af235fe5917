package dev.switchboard.client.auth;

import java.util.Objects;
import java.util.regex.Pattern;

import dev.switchboard.client.grpc.Printable;
import dev.switchboard.client.grpc.RefusalException;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks to do, as routers and registries ask {@code Authorize} and as auth matches it against grants.
 * Its wire form ({@link #toString()}, read back by {@link #parse}) is part of the protocol, spoken by every client
 * (the Python one too):
 * <ul>
 * <li>{@code call:<group>/<package.Service>/<Method>}: call one method of a service group;</li>
 * <li>{@code register:<group>}: register, heartbeat or deregister an instance of a group;</li>
 * <li>{@code discover}: watch and read the registry;</li>
 * <li>{@code admin}: administer clients and instances.</li>
 * </ul>
 * The factories take names as they come (a method name a caller sent, say); {@link #parse} is where names are
 * checked, so a malformed action is refused by auth with the reason. Immutable.
 *
 * @param kind what sort of action this is
 * @param group the service group of a call or register action, else null
 * @param method the full method name ({@code package.Service/Method}) of a call action, else null
 */
public record Action(Kind kind, @Nullable String group, @Nullable String method) {

	/** The longest action accepted. */
	public static final int MAX_LENGTH = 512;

	/** A service group's name, as the registry accepts it and actions and grants name it. */
	public static final Pattern GROUP = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	/** A full gRPC method name: package-qualified service, slash, method. */
	private static final Pattern FULL_METHOD = Pattern
		.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*/[A-Za-z_][A-Za-z0-9_]*");

	private static final Action DISCOVER = new Action(Kind.DISCOVER, null, null);

	private static final Action ADMIN = new Action(Kind.ADMIN, null, null);

	public Action {
		Objects.requireNonNull(kind, "kind");
		boolean grouped = kind == Kind.CALL || kind == Kind.REGISTER;
		if (grouped != (group != null) || (kind == Kind.CALL) != (method != null)) {
			throw new IllegalArgumentException(kind + " action with group " + group + " and method " + method);
		}
	}

	/** The action of calling {@code fullMethod} ({@code package.Service/Method}) of {@code group}. */
	public static Action call(String group, String fullMethod) {
		return new Action(Kind.CALL, Objects.requireNonNull(group, "group"),
				Objects.requireNonNull(fullMethod, "fullMethod"));
	}

	/** The action of registering an instance of {@code group}. */
	public static Action register(String group) {
		return new Action(Kind.REGISTER, Objects.requireNonNull(group, "group"), null);
	}

	/** The {@code discover} action. */
	public static Action discover() {
		return DISCOVER;
	}

	/** The {@code admin} action. */
	public static Action admin() {
		return ADMIN;
	}

	/**
	 * Reads an action from its wire form.
	 * @throws RefusalException (INVALID_ARGUMENT) with a one-line reason when {@code action} is none of the forms
	 * above
	 */
	public static Action parse(String action) {
		Objects.requireNonNull(action, "action");
		if (action.isEmpty()) {
			throw RefusalException.invalidArgument("action is empty");
		}
		if (action.length() > MAX_LENGTH) {
			throw RefusalException.invalidArgument("action is longer than " + MAX_LENGTH + " characters");
		}
		Kind kind = Kind.of(action);
		if (kind == null) {
			throw RefusalException.invalidArgument("action '" + Printable.of(action)
					+ "' is not call:<group>/<service>/<method>, register:<group>, discover or admin");
		}
		String rest = kind.rest(action);
		return switch (kind) {
			case DISCOVER -> DISCOVER;
			case ADMIN -> ADMIN;
			case REGISTER -> register(rest).checked();
			case CALL -> {
				int slash = rest.indexOf('/');
				if (slash <= 0) {
					throw notACall(action);
				}
				yield call(rest.substring(0, slash), rest.substring(slash + 1)).checked();
			}
		};
	}

	/**
	 * Returns this action if the names in it are well formed, as {@link #parse} requires.
	 * @throws RefusalException (INVALID_ARGUMENT) with a one-line reason otherwise
	 */
	public Action checked() {
		if (this.kind == Kind.REGISTER && !GROUP.matcher(this.group).matches()) {
			throw RefusalException
				.invalidArgument("action '" + Printable.of(toString()) + "' does not name a valid group");
		}
		if (this.kind == Kind.CALL
				&& !(GROUP.matcher(this.group).matches() && FULL_METHOD.matcher(this.method).matches())) {
			throw notACall(toString());
		}
		return this;
	}

	private static RefusalException notACall(String action) {
		return RefusalException.invalidArgument(
				"action '" + Printable.of(action) + "' is not call:<group>/<package.Service>/<Method>");
	}

	/** Returns the wire form, which {@link #parse} reads back. */
	@Override
	public String toString() {
		return switch (this.kind) {
			case CALL -> this.kind.word + this.group + "/" + this.method;
			case REGISTER -> this.kind.word + this.group;
			case DISCOVER, ADMIN -> this.kind.word;
		};
	}

	/**
	 * The sorts of action, each allowed only by grants of the same sort, and the word that starts the written form of
	 * both.
	 */
	public enum Kind {

		/** {@code call:<group>/<package.Service>/<Method>}. */
		CALL("call:"),

		/** {@code register:<group>}. */
		REGISTER("register:"),

		/** {@code discover}. */
		DISCOVER("discover"),

		/** {@code admin}. */
		ADMIN("admin");

		private static final Kind[] ALL = values();

		private final String word;

		Kind(String word) {
			this.word = word;
		}

		/**
		 * Returns the kind of {@code written} (an action or a grant) by the word it starts with, or null when it is
		 * of none; {@link #rest} is what follows the word.
		 */
		public static @Nullable Kind of(String written) {
			for (Kind kind : ALL) {
				boolean named = kind.word.endsWith(":");
				if (named ? written.startsWith(kind.word) : written.equals(kind.word)) {
					return kind;
				}
			}
			return null;
		}

		/** Returns what follows this kind's word in {@code written}: the group (and method) it names. */
		public String rest(String written) {
			return written.substring(this.word.length());
		}

	}

}
