package dev.switchboard.cli.call;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonStreamParser;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/**
 * Turns request JSON into {@link DynamicMessage}s of a method's request type and responses back into JSON, with the
 * proto3 JSON mapping ({@link JsonFormat}). {@code google.protobuf.Any} values may hold any type defined in, or
 * imported by, the files of the method's request and response types.
 * <p>
 * Immutable and thread-safe.
 */
public final class JsonCodec {

	private final Descriptor requestType;

	private final JsonFormat.TypeRegistry types;

	private final boolean pretty;

	private final boolean defaultValues;

	private JsonCodec(Descriptor requestType, JsonFormat.TypeRegistry types, boolean pretty, boolean defaultValues) {
		this.requestType = requestType;
		this.types = types;
		this.pretty = pretty;
		this.defaultValues = defaultValues;
	}

	/**
	 * A codec for one method that prints each response on one line and leaves out fields that hold their default.
	 * @param method the method whose requests are parsed and whose responses are printed
	 * @return the codec
	 */
	public static JsonCodec forMethod(Descriptors.MethodDescriptor method) {
		requireNonNull(method, "method");
		JsonFormat.TypeRegistry types = JsonFormat.TypeRegistry.newBuilder()
			.add(method.getInputType())
			.add(method.getOutputType())
			.build();
		return new JsonCodec(method.getInputType(), types, false, false);
	}

	/**
	 * A copy that prints indented multi-line JSON.
	 * @return the copy
	 */
	public JsonCodec withPrettyPrinting() {
		return new JsonCodec(this.requestType, this.types, true, this.defaultValues);
	}

	/**
	 * A copy that also prints fields that hold their default value (zero, empty, the first enum value).
	 * @return the copy
	 */
	public JsonCodec withDefaultValues() {
		return new JsonCodec(this.requestType, this.types, this.pretty, true);
	}

	/**
	 * Parses requests: one JSON object, a JSON array of objects, or several objects one after another (typically one
	 * per line). Field names may be the JSON names or the proto names; unknown fields are rejected.
	 * @param json the text; blank text holds no requests
	 * @return the requests, in order
	 * @throws InvalidProtocolBufferException with a one-line message when the text is not JSON or a value does not fit
	 * the request type
	 */
	public List<DynamicMessage> parseRequests(String json) throws InvalidProtocolBufferException {
		requireNonNull(json, "json");
		if (json.isBlank()) {
			// Gson reads an empty document as an error even when lenient
			return List.of();
		}
		List<JsonElement> values = new ArrayList<>();
		try {
			JsonStreamParser parser = new JsonStreamParser(json);
			while (parser.hasNext()) {
				values.add(parser.next());
			}
		}
		catch (JsonParseException ex) {
			// Gson wraps the reader's exception and puts its class name in the message
			Throwable reason = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new InvalidProtocolBufferException("not JSON: " + firstLine(reason));
		}
		if (values.size() == 1 && values.get(0).isJsonArray()) {
			values = values.get(0).getAsJsonArray().asList();
		}
		JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(this.types);
		List<DynamicMessage> requests = new ArrayList<>(values.size());
		for (JsonElement value : values) {
			String which = (values.size() == 1) ? "the request" : "request " + (requests.size() + 1);
			if (!value.isJsonObject()) {
				throw new InvalidProtocolBufferException(which + " is not a JSON object: " + value);
			}
			DynamicMessage.Builder request = DynamicMessage.newBuilder(this.requestType);
			try {
				parser.merge(value.toString(), request);
			}
			catch (InvalidProtocolBufferException | RuntimeException ex) {
				throw new InvalidProtocolBufferException(which + ": " + firstLine(ex));
			}
			requests.add(request.build());
		}
		return requests;
	}

	/**
	 * Prints one message as JSON.
	 * @param message a response (or any message whose types this codec knows)
	 * @return one line of JSON, or indented lines after {@link #withPrettyPrinting()}; no trailing newline
	 * @throws InvalidProtocolBufferException when an {@code Any} holds a type this codec does not know
	 */
	public String print(MessageOrBuilder message) throws InvalidProtocolBufferException {
		requireNonNull(message, "message");
		JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(this.types);
		if (!this.pretty) {
			printer = printer.omittingInsignificantWhitespace();
		}
		if (this.defaultValues) {
			printer = printer.alwaysPrintFieldsWithNoPresence();
		}
		return printer.print(message);
	}

	private static String firstLine(Throwable ex) {
		String message = String.valueOf(ex.getMessage()).strip();
		int newline = message.indexOf('\n');
		return (newline < 0) ? message : message.substring(0, newline).strip();
	}

}
