package dev.switchboard.cli.call;

import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Receives what one call brings back, in order: headers (if the server sends any), each response message, then the
 * close. Methods run on the channel's executor, one at a time for a call; they should not block for long, and an
 * exception thrown from one cancels the call.
 */
public interface ResponseHandler {

	/**
	 * The server's response headers, before the first message. Not called when the call fails before any headers.
	 * @param headers the headers
	 */
	default void onHeaders(Metadata headers) {
	}

	/**
	 * One response message.
	 * @param response the message, of the method's response type
	 */
	void onMessage(DynamicMessage response);

	/**
	 * The call is over; called exactly once, last.
	 * @param status how it ended
	 * @param trailers the server's trailers, possibly empty
	 */
	default void onClose(Status status, Metadata trailers) {
	}

}
