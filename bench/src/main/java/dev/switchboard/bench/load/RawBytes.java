package dev.switchboard.bench.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.grpc.MethodDescriptor;

/**
 * Messages as the bytes on the wire, so the load generator spends no CPU on protobuf: requests are serialized once,
 * responses are not parsed. Stateless and thread-safe.
 */
public final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {

	private static final RawBytes INSTANCE = new RawBytes();

	private RawBytes() {
	}

	/** Returns a descriptor of {@code fullMethodName} that sends and receives raw bytes. */
	public static MethodDescriptor<byte[], byte[]> method(String fullMethodName, MethodDescriptor.MethodType type) {
		return MethodDescriptor.<byte[], byte[]>newBuilder()
			.setType(type)
			.setFullMethodName(fullMethodName)
			.setRequestMarshaller(INSTANCE)
			.setResponseMarshaller(INSTANCE)
			.build();
	}

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
			throw new UncheckedIOException("cannot read a message", ex);
		}
	}

}
