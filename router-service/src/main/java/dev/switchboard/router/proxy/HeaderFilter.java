package dev.switchboard.router.proxy;

import java.util.List;

import dev.switchboard.common.grpc.SwitchboardHeaders;
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
		boolean platformKeys = false;
		for (String name : metadata.keys()) {
			if (name.startsWith(SwitchboardHeaders.PREFIX)) {
				platformKeys = true;
				break;
			}
		}
		if (platformKeys) {
			for (String name : List.copyOf(metadata.keys())) {
				if (name.startsWith(SwitchboardHeaders.PREFIX)) {
					if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
						metadata.discardAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER));
					}
					else {
						metadata.discardAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
					}
				}
			}
		}
	}

}
