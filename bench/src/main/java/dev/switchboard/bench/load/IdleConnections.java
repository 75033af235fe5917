package dev.switchboard.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many HTTP/2 client connections that do nothing: each sends the connection preface and an empty SETTINGS frame,
 * acknowledges the server's SETTINGS and then stays idle, as a fleet of callers between calls does. One thread reads
 * (and discards) whatever the server sends and counts the connections it closes. For figures of what idle callers cost
 * a server; not a client for calls.
 */
public final class IdleConnections implements AutoCloseable {

	/** The client connection preface followed by an empty SETTINGS frame (RFC 9113, 3.4 and 6.5). */
	private static final byte[] PREFACE = concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
			new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });

	/** A SETTINGS frame with the ACK flag. */
	private static final byte[] SETTINGS_ACK = { 0, 0, 0, 4, 1, 0, 0, 0, 0 };

	private final Selector selector;

	private final List<SocketChannel> channels;

	private final AtomicInteger closedByServer = new AtomicInteger();

	private final Thread reader;

	private volatile boolean closing;

	private IdleConnections(Selector selector, List<SocketChannel> channels) {
		this.selector = selector;
		this.channels = channels;
		this.reader = Thread.ofPlatform().daemon().name("idle-connections").start(this::read);
	}

	/**
	 * Opens {@code count} connections to {@code 127.0.0.1:port} one after the other and returns once all have sent
	 * their preface; fails (closing those opened) if one cannot connect.
	 */
	public static IdleConnections open(int port, int count) throws IOException {
		Selector selector = Selector.open();
		List<SocketChannel> channels = new ArrayList<>(count);
		try {
			for (int i = 0; i < count; i++) {
				SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
				channels.add(channel);
				channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				channel.write(ByteBuffer.wrap(PREFACE));
				channel.configureBlocking(false);
				channel.register(selector, SelectionKey.OP_READ, new boolean[1]);
			}
		}
		catch (IOException ex) {
			for (SocketChannel channel : channels) {
				channel.close();
			}
			selector.close();
			throw new IOException("connection " + (channels.size() + 1) + " of " + count + " failed: " + ex, ex);
		}
		return new IdleConnections(selector, channels);
	}

	/** The connections still open: those the server has not closed. */
	public int stillOpen() {
		return this.channels.size() - this.closedByServer.get();
	}

	private void read() {
		ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
		try {
			while (!this.closing) {
				this.selector.select(200);
				for (SelectionKey key : this.selector.selectedKeys()) {
					SocketChannel channel = (SocketChannel) key.channel();
					buffer.clear();
					int read;
					try {
						read = channel.read(buffer);
					}
					catch (IOException ex) {
						read = -1;
					}
					if (read < 0) {
						key.cancel();
						this.closedByServer.incrementAndGet();
						continue;
					}
					boolean[] acknowledged = (boolean[]) key.attachment();
					if (!acknowledged[0]) {
						// the server's first bytes are its SETTINGS frame
						acknowledged[0] = true;
						channel.write(ByteBuffer.wrap(SETTINGS_ACK));
					}
				}
				this.selector.selectedKeys().clear();
			}
		}
		catch (IOException | RuntimeException ex) {
			if (!this.closing) {
				System.err.println("idle connections: reader stopped: " + ex);
			}
		}
	}

	@Override
	public void close() throws IOException, InterruptedException {
		this.closing = true;
		this.reader.join(2_000);
		for (SocketChannel channel : this.channels) {
			channel.close();
		}
		this.selector.close();
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = new byte[first.length + second.length];
		System.arraycopy(first, 0, both, 0, first.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
