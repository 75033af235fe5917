package dev.switchboard.cli;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.grpc.Metadata;

/**
 * One {@code -H 'name: value'} request header. Names are lower-cased, as gRPC metadata keys are; values of names that
 * end in {@code -bin} are base64 and sent as bytes.
 *
 * @param name the metadata key, lower case
 * @param value the value as typed, without surrounding white space
 */
record Header(String name, String value) {

	Header {
		requireNonNull(name, "name");
		requireNonNull(value, "value");
	}

	/**
	 * Parses {@code name: value}, checking that gRPC accepts the name (and, for binary headers, that the value is
	 * base64) so that a bad header is a usage error before anything is sent.
	 * @param text the option's argument
	 * @return the header
	 * @throws UsageException when the text has no name, the name is not a valid metadata key or a binary value is not
	 * base64
	 */
	static Header parse(String text) throws UsageException {
		requireNonNull(text, "text");
		int colon = text.indexOf(':');
		if (colon <= 0 || text.substring(0, colon).isBlank()) {
			throw new UsageException("header '" + text + "' is not 'name: value'");
		}
		Header header = new Header(text.substring(0, colon).strip().toLowerCase(Locale.ROOT),
				text.substring(colon + 1).strip());
		try {
			header.addTo(new Metadata());
		}
		catch (IllegalArgumentException ex) {
			throw new UsageException("header '" + text + "' cannot be sent: " + ex.getMessage(), ex);
		}
		return header;
	}

	/**
	 * Adds {@code authorization: Bearer <token>} to the headers when a token is given and no authorization header is,
	 * so that a token can come from the environment ({@code SWITCHBOARD_TOKEN}) rather than a command line, where
	 * every user of the machine can read it.
	 * @param headers the parsed headers
	 * @param token the token, or {@code null} or empty for none
	 * @return the headers, with the token's
	 */
	static List<Header> withBearer(List<Header> headers, String token) {
		if (token == null || token.isBlank()
				|| headers.stream().anyMatch((header) -> header.name.equals("authorization"))) {
			return headers;
		}
		List<Header> all = new ArrayList<>(headers);
		all.add(new Header("authorization", "Bearer " + token.strip()));
		return List.copyOf(all);
	}

	/**
	 * Builds the metadata to attach to every call, reflection look-ups included.
	 * @param headers the parsed headers, in order; a name may repeat
	 * @return new metadata holding all of them
	 */
	static Metadata toMetadata(List<Header> headers) {
		Metadata metadata = new Metadata();
		headers.forEach((header) -> header.addTo(metadata));
		return metadata;
	}

	private void addTo(Metadata metadata) {
		if (this.name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
			metadata.put(Metadata.Key.of(this.name, Metadata.BINARY_BYTE_MARSHALLER),
					Base64.getDecoder().decode(this.value));
		}
		else {
			metadata.put(Metadata.Key.of(this.name, Metadata.ASCII_STRING_MARSHALLER), this.value);
		}
	}

}
