package dev.switchboard.router;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.switchboard.client.auth.AuthTargets;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.connection.AddressList;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.connection.ChannelFactory;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.router.actuate.RoutesEndpoint;
import dev.switchboard.router.api.RouterGrpcService;
import dev.switchboard.router.balancer.OutlierDetector;
import dev.switchboard.router.balancer.PowerOfTwoChoices;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.balancer.ReplicaSelector;
import dev.switchboard.router.proxy.ManagedReplicaChannels;
import dev.switchboard.router.proxy.PrincipalRateLimiter;
import dev.switchboard.router.proxy.ProxyHandlerRegistry;
import dev.switchboard.router.proxy.ProxySettings;
import dev.switchboard.router.proxy.ReplicaChannels;
import dev.switchboard.router.proxy.RetryBudget;
import dev.switchboard.router.reflection.RouterReflectionService;
import dev.switchboard.router.security.OwnServicesAuthorization;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTableUpdater;
import dev.switchboard.router.transport.EventLoops;
import dev.switchboard.router.v1.RouterProto;
import io.grpc.health.v1.HealthProto;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.reflection.v1.ServerReflectionProto;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Wires the router: shared event loops, replica channels through the connection manager, the routing table fed by
 * the registry watcher ({@code RegistryWatcherAutoConfiguration}), the selector, and the proxy as the gRPC server's
 * fallback handler registry.
 */
@Configuration(proxyBeanMethods = false)
class RouterConfiguration {

	@Bean(destroyMethod = "close")
	EventLoops routerEventLoops(RouterProperties properties) {
		return new EventLoops(properties.eventLoopThreads());
	}

	/**
	 * Every channel this process opens (replicas and registry alike) runs on the router's event loops, and, with the
	 * platform identity, is mutual TLS accepting only a server of the group it was opened for.
	 */
	@Bean
	ChannelFactory routerChannelFactory(EventLoops loops, RouterProperties properties,
			ObjectProvider<IdentityChannelCredentials> identity) {
		int maxMessage = (int) properties.maxMessageSize().toBytes();
		IdentityChannelCredentials credentials = identity.getIfAvailable();
		return ChannelFactory.grpc((service, settings) -> (credentials != null)
				? credentials.forService(service, settings) : null, (builder) -> {
			if (builder instanceof NettyChannelBuilder netty) {
				// a channel opened on a worker loop (a replica's, on first use there) stays on that loop
				netty.eventLoopGroup(loops.forCurrentThread()).channelType(loops.channelType());
			}
			builder.maxInboundMessageSize(maxMessage);
			// grpc-java's retry layer wraps every call (a fifth of the router's CPU per call) only to replay streams
			// a replica never processed; ForwardingCall replays those itself (Unprocessed), and the auth and registry
			// clients fail over on their own
			builder.disableRetry();
		});
	}

	/**
	 * Caps the method tag values of {@code switchboard.router.calls}: methods of a served service are metered by name
	 * (unknown ones share one value already), and a caller inventing method names of such a service stops growing
	 * the meters at the cap.
	 */
	@Bean
	MeterFilter routerCallTagLimit(RouterProperties properties) {
		return MeterFilter.maximumAllowableTags("switchboard.router.calls", "method", properties.maxMethodTags(),
				MeterFilter.deny());
	}

	@Bean
	ReplicaChannels replicaChannels(ClientConnectionManager manager, EventLoops loops) {
		return new ManagedReplicaChannels(manager, loops::currentIndex);
	}

	@Bean
	RoutingTableUpdater routingTableUpdater(RouterProperties properties, ReplicaChannels channels,
			RegistryWatcher watcher, EventLoops loops) {
		RouterProperties.Outlier outlier = properties.outlier();
		RoutingTableUpdater updater = new RoutingTableUpdater(
				(instance) -> new Replica(instance, new OutlierDetector(outlier.consecutiveFailures(),
						outlier.baseEjection(), outlier.maxEjection(), outlier.slowStart()), loops.size()),
				channels::release);
		watcher.addListener(updater);
		updater.accept(watcher.view());
		return updater;
	}

	@Bean
	ReplicaSelector replicaSelector() {
		return new PowerOfTwoChoices(ThreadLocalRandom::current, System::nanoTime);
	}

	/** The revocation watch's reconnects. */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler routerScheduler() {
		return PlatformSchedulers.daemon("router-scheduler-");
	}

	/**
	 * The auth group's UP replicas from the routing table, the configured address last, listed anew with each view of
	 * the registry (after the table took it), for the one channel the authorizer asks them over.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnBooleanProperty(name = "switchboard.router.auth.enabled", matchIfMissing = true)
	AddressList routerAuthReplicas(RoutingTableUpdater table, RegistryWatcher watcher, RouterProperties properties) {
		Supplier<List<String>> targets = AuthTargets.registeredThen(() -> {
			GroupRoute group = table.current().group("auth");
			return (group != null) ? Arrays.stream(group.up()).map(Replica::target).toList() : List.<String>of();
		}, properties.auth().fallbackAddress());
		AddressList replicas = CachingAuthorizer.publishReplicas(targets.get());
		watcher.addListener((view) -> replicas.set(targets.get()));
		return replicas;
	}

	/** Asks the auth group and keeps its answers until a revocation ({@link #routerRevocations}) or the token's expiry. */
	@Bean(destroyMethod = "close")
	@ConditionalOnBooleanProperty(name = "switchboard.router.auth.enabled", matchIfMissing = true)
	CachingAuthorizer routerAuthorizer(AddressList routerAuthReplicas, RouterProperties properties,
			ClientConnectionManager manager) {
		RouterProperties.Auth auth = properties.auth();
		return CachingAuthorizer.over(routerAuthReplicas, manager, auth.cacheMaxAge(), auth.cacheMaxTokens(),
				auth.timeout());
	}

	/** Auth's revocation push, open from before the gRPC server starts until after it drained. */
	@Bean
	@ConditionalOnBooleanProperty(name = "switchboard.router.auth.enabled", matchIfMissing = true)
	BackgroundWork routerRevocations(CachingAuthorizer routerAuthorizer,
			@Qualifier("routerScheduler") ThreadPoolTaskScheduler routerScheduler) {
		Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), new SplittableRandom());
		return BackgroundWork.of(
				() -> routerAuthorizer.watchRevocations(routerScheduler.getScheduledExecutor(), backoff),
				routerAuthorizer::close);
	}

	/** Reflection and {@code Router/GetRoutes} need a token allowed to discover; health stays open. */
	@Bean
	@GlobalServerInterceptor
	@ConditionalOnBooleanProperty(name = "switchboard.router.auth.enabled", matchIfMissing = true)
	OwnServicesAuthorization ownServicesAuthorization(CachingAuthorizer routerAuthorizer) {
		return new OwnServicesAuthorization(routerAuthorizer);
	}

	/** Only when enabled: without limits the proxy has no limiter to consult at all. */
	@Bean
	@ConditionalOnBooleanProperty("switchboard.router.rate-limits.enabled")
	PrincipalRateLimiter routerRateLimiter(RouterProperties properties, MeterRegistry meters) {
		RouterProperties.RateLimits limits = properties.rateLimits();
		return new PrincipalRateLimiter(limits.standardRate(), limits.principalRates(), limits.maxPrincipals(),
				System::nanoTime, meters);
	}

	@Bean
	ProxyHandlerRegistry proxyHandlerRegistry(RoutingTableUpdater table, ReplicaChannels channels,
			ReplicaSelector selector, RouterProperties properties, MeterRegistry meters,
			ObjectProvider<CachingAuthorizer> authorizer, ObjectProvider<PrincipalRateLimiter> rateLimiter) {
		RouterProperties.Retry retry = properties.retry();
		return new ProxyHandlerRegistry(table::current, channels, selector,
				new RetryBudget(retry.budgetRatio(), retry.budgetMaxTokens()),
				new ProxySettings(retry.maxAttempts(), (int) retry.replayLimit().toBytes()), System::nanoTime, meters,
				authorizer.getIfAvailable(), properties.auth().forwardToken(), rateLimiter.getIfAvailable());
	}

	/**
	 * Forwarding runs on the event loops (direct executor), with the proxy as the fallback for unknown methods; each
	 * caller's connection is bounded (streams, resets, metadata, age, idleness).
	 */
	@Bean
	ServerBuilderCustomizer<NettyServerBuilder> routerServerCustomizer(EventLoops loops,
			ProxyHandlerRegistry proxy, RouterProperties properties) {
		RouterProperties.Connections connections = properties.connections();
		return (builder) -> builder.bossEventLoopGroup(loops.boss())
			.workerEventLoopGroup(loops.workers())
			.channelType(loops.serverChannelType())
			.directExecutor()
			.fallbackHandlerRegistry(proxy)
			.maxInboundMessageSize((int) properties.maxMessageSize().toBytes())
			.maxConcurrentCallsPerConnection(connections.maxConcurrentStreams())
			.maxRstFramesPerWindow(connections.maxRstFrames(), (int) connections.rstWindow().toSeconds())
			.maxInboundMetadataSize((int) connections.maxHeaderListSize().toBytes())
			.maxConnectionAge(connections.maxAge().toNanos(), TimeUnit.NANOSECONDS)
			.maxConnectionAgeGrace(connections.maxAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
			.maxConnectionIdle(connections.maxIdle().toNanos(), TimeUnit.NANOSECONDS);
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
