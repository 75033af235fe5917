package dev.switchboard.cli;

import java.io.PrintStream;
import java.util.Base64;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.switchboard.cli.call.JsonCodec;
import dev.switchboard.cli.call.ResponseHandler;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Prints each response as JSON on standard output as soon as it arrives and, when verbose, the response headers,
 * trailers and status on standard error, so that standard output stays pure JSON.
 */
final class ResponsePrinter implements ResponseHandler {

	private final JsonCodec codec;

	private final PrintStream out;

	private final PrintStream err;

	private final boolean verbose;

	ResponsePrinter(JsonCodec codec, PrintStream out, PrintStream err, boolean verbose) {
		this.codec = codec;
		this.out = out;
		this.err = err;
		this.verbose = verbose;
	}

	@Override
	public void onHeaders(Metadata headers) {
		if (this.verbose) {
			printMetadata("response headers:", headers);
		}
	}

	@Override
	public void onMessage(DynamicMessage response) {
		String json;
		try {
			json = this.codec.print(response);
		}
		catch (InvalidProtocolBufferException ex) {
			// thrown back into gRPC, which cancels the call with this as the cause
			throw new IllegalStateException("cannot print a response as JSON: " + ex.getMessage(), ex);
		}
		this.out.println(json);
		this.out.flush();
	}

	@Override
	public void onClose(Status status, Metadata trailers) {
		if (this.verbose) {
			printMetadata("response trailers:", trailers);
			this.err.println("status: " + SwitchboardCli.describe(status));
			this.err.flush();
		}
	}

	private void printMetadata(String title, Metadata metadata) {
		this.err.println(title);
		for (String key : metadata.keys()) {
			if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
				Iterable<byte[]> values = metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
				if (values != null) {
					values.forEach((value) -> this.err
						.println("  " + key + ": " + Base64.getEncoder().encodeToString(value)));
				}
			}
			else {
				Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
				if (values != null) {
					values.forEach((value) -> this.err.println("  " + key + ": " + value));
				}
			}
		}
		this.err.flush();
	}

}
