package dev.switchboard.router.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

/**
 * Passes request messages through as arrays, never parsing them; arrays because a request may be written more than
 * once (the router's failover replays it). One copy out of the inbound buffer
 * into an array of the message's exact size, and one out of it into the outbound frame. Neither side goes through a
 * scratch buffer: the transport's inbound stream knows its length ({@link KnownLength}), and the outbound stream
 * hands the whole array to the framer in one write ({@link Drainable}); a plain {@code ByteArrayInputStream} and
 * {@code readAllBytes} would allocate 8 and 16 KiB of scratch per message.
 */
enum ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {

	INSTANCE;

	@Override
	public InputStream stream(byte[] value) {
		return new DrainableArray(value);
	}

	@Override
	public byte[] parse(InputStream stream) {
		try {
			if (stream instanceof KnownLength) {
				// the whole message, already received (a decompressing stream is not KnownLength: it reads below)
				byte[] message = new byte[stream.available()];
				int read = stream.readNBytes(message, 0, message.length);
				if (read != message.length) {
					throw new IOException("message ended after " + read + " of " + message.length + " bytes");
				}
				return message;
			}
			return stream.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read a forwarded message", ex);
		}
	}

	/** An array the framer drains in one write, without copying it into a scratch buffer first. */
	private static final class DrainableArray extends ByteArrayInputStream implements Drainable, KnownLength {

		DrainableArray(byte[] value) {
			super(value);
		}

		@Override
		public synchronized int drainTo(OutputStream target) throws IOException {
			int length = this.count - this.pos;
			target.write(this.buf, this.pos, length);
			this.pos = this.count;
			return length;
		}

	}

}
