package dev.switchboard.client.grpc;

import io.grpc.Metadata;

/**
 * Metadata keys the platform reads and writes. Keys starting with {@code x-switchboard-} are the platform's own and
 * are never forwarded to components.
 */
public final class SwitchboardHeaders {

	/** Prefix of every platform-owned metadata key. */
	public static final String PREFIX = "x-switchboard-";

	/** {@code authorization: Bearer <token>}. */
	public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
			Metadata.ASCII_STRING_MARSHALLER);

	/** Names the service group explicitly instead of resolving it from the method. */
	public static final Metadata.Key<String> GROUP = Metadata.Key.of(PREFIX + "group", Metadata.ASCII_STRING_MARSHALLER);

	/** Designates one replica by instance id. */
	public static final Metadata.Key<String> INSTANCE = Metadata.Key.of(PREFIX + "instance",
			Metadata.ASCII_STRING_MARSHALLER);

	/** The client id the router authenticated the caller as, passed on to the component. */
	public static final Metadata.Key<String> PRINCIPAL = Metadata.Key.of(PREFIX + "principal",
			Metadata.ASCII_STRING_MARSHALLER);

	private SwitchboardHeaders() {
	}

}
