package dev.switchboard.router.proxy;

import java.util.List;

import io.grpc.Status;

/**
 * Recognizes the statuses grpc-java's Netty transport closes a call with when the replica never processed its
 * request: the stream was refused ({@code RST_STREAM REFUSED_STREAM}), was above the last stream id of the replica's
 * {@code GOAWAY}, or never left the transport's buffer before the connection went away. HTTP/2 (RFC 9113, section
 * 8.7) makes such requests safe to send again.
 * <p>
 * grpc-java replays these by itself only through its retry machinery, which the router's channels leave off (it cost
 * a fifth of the router's CPU per call), so the router replays them itself. The transport says "not processed" to
 * its retry layer only; what reaches a call is the status, whose descriptions below are the transport's own
 * ({@code NettyClientHandler} in grpc-netty 1.80). {@code UnprocessedTests} drives one of them, a buffered stream
 * failed by a {@code GOAWAY}, through the real transport, so an upgrade that changes that wording fails it.
 */
final class Unprocessed {

	/**
	 * Not "GOAWAY shut down transport": the transport gives that status both to a stream created after the replica's
	 * {@code GOAWAY} and to every stream still open when the connection closes after it, processed or not.
	 */
	private static final List<String> NEVER_SENT = List.of("Abrupt GOAWAY closed unsent stream",
			"GOAWAY closed buffered stream", "Connection closed while stream is buffered");

	private static final String RESET = "RST_STREAM closed stream";

	private static final String REFUSED = "REFUSED_STREAM";

	private Unprocessed() {
	}

	/** Returns whether {@code status} says the replica never processed the call's request. */
	static boolean neverProcessed(Status status) {
		String description = status.getDescription();
		if (status.getCode() != Status.Code.UNAVAILABLE || description == null) {
			return false;
		}
		for (String prefix : NEVER_SENT) {
			if (description.startsWith(prefix)) {
				return true;
			}
		}
		return description.startsWith(RESET) && description.contains(REFUSED);
	}

}
