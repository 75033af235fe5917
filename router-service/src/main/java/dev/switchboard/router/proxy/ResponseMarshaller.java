package dev.switchboard.router.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import io.grpc.Detachable;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;

/**
 * Passes response messages through in the upstream transport's own buffers: {@link #parse} detaches the message from
 * the upstream call instead of copying it out, and the caller's transport drains it into its outbound frame once.
 * Responses are never replayed (only requests are, on failover), so a message is written at most once and its
 * buffers can go back to the pool as soon as it is.
 * <p>
 * <b>Ownership.</b> A parsed message holds buffers of the upstream connection (reference-counted, pooled, off-heap)
 * until it is closed. Whoever holds one either hands it to {@code ServerCall.sendMessage}, after which the transport
 * closes it whether or not it could write it, or closes it; {@link InputStream#close} releases the buffers and may be
 * called again.
 */
enum ResponseMarshaller implements MethodDescriptor.Marshaller<InputStream> {

	INSTANCE;

	@Override
	public InputStream stream(InputStream message) {
		return message;
	}

	@Override
	public InputStream parse(InputStream stream) {
		if (stream instanceof Detachable detachable && stream instanceof KnownLength) {
			// the transport's stream gives its buffers up and is left empty; grpc still closes it, harmlessly
			return new DetachedMessage(detachable.detach());
		}
		// not from a Netty transport (in-process, or a decompressing stream): a copy, with nothing to release
		return ByteArrayMarshaller.INSTANCE.stream(ByteArrayMarshaller.INSTANCE.parse(stream));
	}

	/**
	 * A detached message: drains through a per-thread scratch array (the outbound framer only takes arrays, and the
	 * inbound buffers are off-heap), so passing it on allocates nothing.
	 */
	private static final class DetachedMessage extends InputStream implements Drainable, KnownLength {

		private static final int SCRATCH_BYTES = 16 * 1024;

		/** Only event-loop threads drain messages, so there are as many of these as loops. */
		private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);

		private final InputStream buffers;

		DetachedMessage(InputStream buffers) {
			this.buffers = buffers;
		}

		@Override
		public int drainTo(OutputStream target) throws IOException {
			byte[] scratch = SCRATCH.get();
			int total = 0;
			int read;
			while ((read = this.buffers.read(scratch, 0, scratch.length)) > 0) {
				target.write(scratch, 0, read);
				total += read;
			}
			return total;
		}

		@Override
		public int available() throws IOException {
			return this.buffers.available();
		}

		@Override
		public int read() throws IOException {
			return this.buffers.read();
		}

		@Override
		public int read(byte[] target, int offset, int length) throws IOException {
			return this.buffers.read(target, offset, length);
		}

		/** Releases the buffers; the transport closes a message it wrote, the router one it will not pass on. */
		@Override
		public void close() throws IOException {
			this.buffers.close();
		}

	}

}
