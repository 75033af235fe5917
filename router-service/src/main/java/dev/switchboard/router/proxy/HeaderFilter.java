package dev.switchboard.router.proxy;

import java.util.List;

import dev.switchboard.common.grpc.SwitchboardHeaders;
import io.grpc.Metadata;

/**
 * Removes what must not cross the router from forwarded metadata: the platform's own {@code x-switchboard-*} keys and
 * HTTP hop-by-hop headers. gRPC's reserved headers ({@code grpc-timeout}, {@code content-type}, {@code te}, ...) are
 * managed by each transport and never appear as forwardable metadata.
 */
final class HeaderFilter {

	private static final List<Metadata.Key<String>> HOP_BY_HOP = List.of("connection", "keep-alive",
			"proxy-connection", "transfer-encoding", "upgrade", "host", "proxy-authorization")
		.stream()
		.map((name) -> Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))
		.toList();

	private HeaderFilter() {
	}

	/** Strips {@code metadata} in place. */
	static void strip(Metadata metadata) {
		for (Metadata.Key<String> key : HOP_BY_HOP) {
			if (metadata.containsKey(key)) {
				metadata.discardAll(key);
			}
		}
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
