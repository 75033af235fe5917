package dev.switchboard.router.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.grpc.MethodDescriptor;

/**
 * Passes messages through as bytes, never parsing them: one copy out of the inbound buffer, none on the way out.
 */
enum ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {

	INSTANCE;

	@Override
	public InputStream stream(byte[] value) {
		return new ByteArrayInputStream(value);
	}

	@Override
	public byte[] parse(InputStream stream) {
		try {
			return stream.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read a forwarded message", ex);
		}
	}

}
