package dev.switchboard.auth.grant;

import java.util.regex.Pattern;

/** The name rules grants and actions share with the registry. */
final class Names {

	/** A service group, as the registry accepts it. */
	static final Pattern GROUP = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	/** A full gRPC method name: package-qualified service, slash, method. */
	static final Pattern FULL_METHOD = Pattern
		.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*/[A-Za-z_][A-Za-z0-9_]*");

	/** A method glob: the characters of full method names plus {@code *}. */
	static final Pattern METHOD_GLOB = Pattern.compile("[A-Za-z0-9_.*/]+");

	private Names() {
	}

}
