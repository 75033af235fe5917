package dev.switchboard.cli;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

/**
 * Opens the channel one command runs on. The command owns the channel: it shuts it down when it is done.
 */
@FunctionalInterface
public interface ChannelOpener {

	/**
	 * Opens a channel; connecting may happen lazily, on the first call.
	 * @param target where to connect, e.g. {@code 127.0.0.1:9090} or {@code dns:///registry:9090}
	 * @param tls whether to use TLS rather than plaintext
	 * @return a new channel
	 * @throws IllegalArgumentException when the target cannot be used
	 */
	ManagedChannel open(String target, boolean tls);

	/**
	 * Opens channels with the transport on the class path (Netty), trusting the JVM's trust store for TLS.
	 * @return the opener
	 */
	static ChannelOpener transport() {
		return (target, tls) -> {
			ChannelCredentials credentials = tls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
			return Grpc.newChannelBuilder(target, credentials).userAgent("switchboard-cli").build();
		};
	}

}
