package dev.switchboard.router.proxy;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.Metadata;

/**
 * Removes what must not cross the router from forwarded metadata: the platform's own {@code x-switchboard-*} keys.
 * HTTP/2 forbids connection-specific (hop-by-hop) headers and gRPC's transports drop them, and gRPC's reserved
 * headers ({@code grpc-timeout}, {@code content-type}, {@code te}, ...) are set by each transport, so neither needs
 * removing here.
 */
final class HeaderFilter {

	private HeaderFilter() {
	}

	/** Strips {@code metadata} in place. */
	static void strip(Metadata metadata) {
		// keys() is a fresh copy, so discarding while iterating over it is safe
		for (String name : metadata.keys()) {
			if (name.startsWith(SwitchboardHeaders.PREFIX)) {
				metadata.discardAll(key(name));
			}
		}
	}

	private static Metadata.Key<?> key(String name) {
		if (name.equals(SwitchboardHeaders.INSTANCE.name())) {
			return SwitchboardHeaders.INSTANCE;
		}
		if (name.equals(SwitchboardHeaders.GROUP.name())) {
			return SwitchboardHeaders.GROUP;
		}
		return name.endsWith(Metadata.BINARY_HEADER_SUFFIX) ? Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER)
				: Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
	}

}
