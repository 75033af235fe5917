package dev.switchboard.bench.manager;

import java.util.concurrent.TimeUnit;

import dev.switchboard.client.connection.ChannelFactory;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;

/**
 * The channel factories the connection manager is measured with. None of their channels ever connects: channels
 * connect on their first call, and the benchmarks make none.
 */
final class BenchChannels {

	/** A loopback address nothing listens on (the discard port). */
	static final String UNUSED_LOOPBACK_TARGET = "127.0.0.1:9";

	private BenchChannels() {
	}

	/** Returns the factory named {@code inprocess}, {@code netty} or {@code none}. */
	static ChannelFactory named(String name) {
		return switch (name) {
			case "inprocess" -> (target, settings) -> InProcessChannelBuilder.forName(target).directExecutor().build();
			// the manager's production factory: Grpc.newChannelBuilder picks the (shaded) Netty transport
			case "netty" -> ChannelFactory.grpc();
			case "none" -> (target, settings) -> NoChannel.INSTANCE;
			default -> throw new IllegalArgumentException("unknown channel factory " + name);
		};
	}

	/** One shared channel that does nothing, to weigh the manager's own bookkeeping without any channel's. */
	private static final class NoChannel extends ManagedChannel {

		static final NoChannel INSTANCE = new NoChannel();

		@Override
		public ManagedChannel shutdown() {
			return this;
		}

		@Override
		public boolean isShutdown() {
			return true;
		}

		@Override
		public boolean isTerminated() {
			return true;
		}

		@Override
		public ManagedChannel shutdownNow() {
			return this;
		}

		@Override
		public boolean awaitTermination(long timeout, TimeUnit unit) {
			return true;
		}

		@Override
		public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
			throw new UnsupportedOperationException("this channel makes no calls");
		}

		@Override
		public String authority() {
			return "none";
		}

	}

}
