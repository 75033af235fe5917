package dev.switchboard.router.transport;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops the router's server and its upstream channels share, so a forwarded message usually stays on the
 * thread that read it: native epoll where available, NIO elsewhere. Closed when the application stops.
 */
public final class EventLoops implements AutoCloseable {

	private final EventLoopGroup boss;

	private final EventLoopGroup workers;

	private final boolean epoll;

	private final EventLoop[] workerLoops;

	/**
	 * @param threads worker threads; 0 for one per available processor
	 */
	public EventLoops(int threads) {
		int workerThreads = (threads > 0) ? threads : Runtime.getRuntime().availableProcessors();
		this.epoll = Epoll.isAvailable();
		this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("router-accept", true),
				this.epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		this.workers = new MultiThreadIoEventLoopGroup(workerThreads, new DefaultThreadFactory("router-io", true),
				this.epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		List<EventLoop> loops = new ArrayList<>();
		this.workers.forEach((executor) -> loops.add((EventLoop) executor));
		this.workerLoops = loops.toArray(EventLoop[]::new);
	}

	/** Returns how many worker loops there are. */
	public int size() {
		return this.workerLoops.length;
	}

	/** Returns the index of the worker loop running the calling thread, or 0 when it is not one. */
	public int currentIndex() {
		for (int i = 0; i < this.workerLoops.length; i++) {
			if (this.workerLoops[i].inEventLoop()) {
				return i;
			}
		}
		return 0;
	}

	/**
	 * Returns where a channel opened by the calling thread should run: the worker loop that runs the thread, so its
	 * traffic never changes threads, else the whole group.
	 */
	public EventLoopGroup forCurrentThread() {
		for (EventLoop loop : this.workerLoops) {
			if (loop.inEventLoop()) {
				return loop;
			}
		}
		return this.workers;
	}

	public EventLoopGroup boss() {
		return this.boss;
	}

	public EventLoopGroup workers() {
		return this.workers;
	}

	public boolean isEpoll() {
		return this.epoll;
	}

	public Class<? extends ServerChannel> serverChannelType() {
		return this.epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
	}

	public Class<? extends io.netty.channel.Channel> channelType() {
		return this.epoll ? EpollSocketChannel.class : NioSocketChannel.class;
	}

	@Override
	public void close() {
		this.boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
		this.workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
	}

}
