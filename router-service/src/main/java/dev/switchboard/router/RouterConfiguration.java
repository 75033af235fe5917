package dev.switchboard.router;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.switchboard.common.client.ChannelFactory;
import dev.switchboard.common.client.ClientConnectionManager;
import dev.switchboard.registry.client.RegistryWatcher;
import dev.switchboard.router.actuate.RoutesEndpoint;
import dev.switchboard.router.api.RouterGrpcService;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.balancer.ReplicaSelector;
import dev.switchboard.router.proxy.ManagedReplicaChannels;
import dev.switchboard.router.proxy.ProxyHandlerRegistry;
import dev.switchboard.router.proxy.ProxySettings;
import dev.switchboard.router.proxy.ReplicaChannels;
import dev.switchboard.router.proxy.RetryBudget;
import dev.switchboard.router.reflection.RouterReflectionService;
import dev.switchboard.router.table.RoutingTableUpdater;
import dev.switchboard.router.transport.EventLoops;
import dev.switchboard.router.v1.RouterProto;
import io.grpc.health.v1.HealthProto;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionProto;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * Wires the router: shared event loops, replica channels through the connection manager, the routing table fed by
 * the starter's registry watcher, the selector, and the proxy as the gRPC server's fallback handler registry.
 */
@Configuration(proxyBeanMethods = false)
class RouterConfiguration {

	@Bean(destroyMethod = "close")
	EventLoops routerEventLoops(RouterProperties properties) {
		return new EventLoops(properties.eventLoopThreads());
	}

	/** Every channel this process opens (replicas and registry alike) runs on the router's event loops. */
	@Bean
	ChannelFactory routerChannelFactory(EventLoops loops, RouterProperties properties) {
		int maxMessage = (int) properties.maxMessageSize().toBytes();
		return ChannelFactory.grpc((builder) -> {
			if (builder instanceof NettyChannelBuilder netty) {
				netty.eventLoopGroup(loops.workers()).channelType(loops.channelType());
			}
			builder.maxInboundMessageSize(maxMessage);
		});
	}

	@Bean
	ReplicaChannels replicaChannels(ClientConnectionManager manager) {
		return new ManagedReplicaChannels(manager);
	}

	@Bean
	RoutingTableUpdater routingTableUpdater(RouterProperties properties, ReplicaChannels channels,
			RegistryWatcher watcher) {
		RouterProperties.Outlier outlier = properties.outlier();
		RoutingTableUpdater updater = new RoutingTableUpdater(
				(instance) -> new Replica(instance, new OutlierDetector(outlier.consecutiveFailures(),
						outlier.baseEjection(), outlier.maxEjection(), outlier.slowStart())),
				channels::release);
		watcher.addListener(updater);
		updater.accept(watcher.view());
		return updater;
	}

	@Bean
	ReplicaSelector replicaSelector() {
		return new PowerOfTwoChoices(ThreadLocalRandom::current, System::nanoTime);
	}

	@Bean
	ProxyHandlerRegistry proxyHandlerRegistry(RoutingTableUpdater table, ReplicaChannels channels,
			ReplicaSelector selector, RouterProperties properties, MeterRegistry meters) {
		RouterProperties.Retry retry = properties.retry();
		return new ProxyHandlerRegistry(table::current, channels, selector,
				new RetryBudget(retry.budgetRatio(), retry.budgetMaxTokens()),
				new ProxySettings(retry.maxAttempts(), (int) retry.replayLimit().toBytes()), System::nanoTime, meters);
	}

	/** Forwarding runs on the event loops (direct executor), with the proxy as the fallback for unknown methods. */
	@Bean
	ServerBuilderCustomizer<NettyServerBuilder> routerServerCustomizer(EventLoops loops,
			ProxyHandlerRegistry proxy, RouterProperties properties) {
		return (builder) -> builder.bossEventLoopGroup(loops.boss())
			.workerEventLoopGroup(loops.workers())
			.channelType(loops.serverChannelType())
			.directExecutor()
			.fallbackHandlerRegistry(proxy)
			.maxInboundMessageSize((int) properties.maxMessageSize().toBytes());
	}

	@Bean
	RouterReflectionService routerReflectionService(RoutingTableUpdater table, ReplicaSelector selector,
			ReplicaChannels channels) {
		return new RouterReflectionService(table::current, selector, channels, List.of(RouterProto.getDescriptor(),
				HealthProto.getDescriptor(), ServerReflectionProto.getDescriptor()));
	}

	@Bean
	RouterGrpcService routerGrpcService(RoutingTableUpdater table) {
		return new RouterGrpcService(table::current);
	}

	@Bean
	RoutesEndpoint routesEndpoint(RoutingTableUpdater table) {
		return new RoutesEndpoint(table::current);
	}

}
