package dev.switchboard.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import dev.switchboard.client.auth.AuthTargets;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.connection.AddressList;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.registry.actuate.RegistryEndpoint;
import dev.switchboard.registry.actuate.RegistryMetrics;
import dev.switchboard.registry.cluster.HazelcastConfigFactory;
import dev.switchboard.registry.grpc.RegistryGrpcService;
import dev.switchboard.registry.lease.HeldLeases;
import dev.switchboard.registry.lease.LeaseSweeper;
import dev.switchboard.registry.quota.ClientQuotas;
import dev.switchboard.registry.security.RegistryAuthorization;
import dev.switchboard.registry.store.ClaimReaper;
import dev.switchboard.registry.store.InstanceListener;
import dev.switchboard.registry.store.InstanceRecord;
import dev.switchboard.registry.store.InstanceStore;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.watch.WatchHub;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/** Wires the registry: Hazelcast member, store, Watch hub, lease sweeper, gRPC service, actuator. */
@Configuration(proxyBeanMethods = false)
class RegistryConfiguration {

	/** Snapshot messages stay at a quarter of gRPC's default 4 MiB message limit, whatever the registry holds. */
	private static final int SNAPSHOT_PART_BYTES = 1024 * 1024;

	/** The auth group. */
	private static final String AUTH = "auth";

	@Bean
	Config hazelcastConfig(RegistryProperties properties) {
		return HazelcastConfigFactory.create(properties.cluster());
	}

	@Bean
	InstanceStore instanceStore(HazelcastInstance hazelcast) {
		return new InstanceStore(hazelcast, Clock.systemUTC());
	}

	@Bean
	WatchHub watchHub(InstanceStore store, RegistryProperties properties) {
		WatchHub hub = new WatchHub(properties.watchQueueLimit(), SNAPSHOT_PART_BYTES,
				properties.quotas().watchStreamsPerClient());
		hub.load(store.subscribe(hub));
		return hub;
	}

	@Bean
	HeldLeases heldLeases(InstanceStore store, RegistryProperties properties) {
		return new HeldLeases(store, Clock.systemUTC(), properties.ttl(), properties.checkpointInterval());
	}

	@Bean
	ClientQuotas clientQuotas(InstanceStore store, RegistryProperties properties) {
		ClientQuotas quotas = new ClientQuotas(properties.quotas().instancesPerClient(),
				properties.quotas().bytesPerClient().toBytes());
		quotas.load(store.subscribe(quotas));
		return quotas;
	}

	/**
	 * The lease thread: sweeps leases and writes their checkpoints, nothing else, so neither waits behind a slow claim reap or
	 * an auth reconnect and a live instance is never judged silent. It depends on the Hazelcast member so that it is
	 * destroyed first, and a sweep running then completes before the member leaves.
	 */
	@Bean(defaultCandidate = false)
	@DependsOn("hazelcastInstance")
	ThreadPoolTaskScheduler registrySweeper() {
		ThreadPoolTaskScheduler scheduler = PlatformSchedulers.daemon("registry-sweeper-");
		scheduler.setWaitForTasksToCompleteOnShutdown(true);
		scheduler.setAwaitTerminationSeconds(5);
		return scheduler;
	}

	/** Metrics, claim reaping and the revocation watch: work that may block without delaying the lease thread. */
	@Bean(defaultCandidate = false)
	@DependsOn("hazelcastInstance")
	ThreadPoolTaskScheduler registryMaintenance() {
		return PlatformSchedulers.daemon("registry-maintenance-");
	}

	@Bean
	LeaseSweeper leaseSweeper(InstanceStore store, HeldLeases held, RegistryProperties properties,
			MeterRegistry meters, @Qualifier("registrySweeper") TaskScheduler registrySweeper) {
		LeaseSweeper sweeper = new LeaseSweeper(store, held, properties.ttl(), properties.checkpointInterval(),
				meters);
		sweeper.scheduleOn(registrySweeper, properties.sweepInterval());
		return sweeper;
	}

	@Bean
	RegistryMetrics registryMetrics(WatchHub hub, MeterRegistry meters,
			@Qualifier("registryMaintenance") TaskScheduler registryMaintenance) {
		RegistryMetrics metrics = new RegistryMetrics(hub, meters);
		registryMaintenance.scheduleWithFixedDelay(metrics::refresh, Instant.now().plusSeconds(1),
				Duration.ofSeconds(1));
		return metrics;
	}

	@Bean
	ClaimReaper claimReaper(InstanceStore store, WatchHub hub,
			@Qualifier("registryMaintenance") TaskScheduler registryMaintenance) {
		ClaimReaper reaper = new ClaimReaper(store, hub);
		registryMaintenance.scheduleWithFixedDelay(reaper, Instant.now().plusSeconds(5), Duration.ofSeconds(5));
		return reaper;
	}

	/** Maps the registry's exceptions to statuses; a Hazelcast member shutting down is its infrastructure error. */
	@Bean
	ServiceExceptionHandler registryExceptionHandler() {
		return ServiceExceptionHandler.of("registry")
			.withUnavailable(HazelcastInstanceNotActiveException.class,
				"this registry replica is shutting down; use another");
	}

	@Bean
	RegistryGrpcService registryGrpcService(InstanceStore store, WatchHub hub, HeldLeases held,
			ClientQuotas quotas, RegistryProperties properties, ServiceExceptionHandler exceptions,
			MeterRegistry meters) {
		return new RegistryGrpcService(store, hub, held, quotas, properties.heartbeatInterval(), properties.ttl(),
				exceptions, meters);
	}

	/**
	 * The auth replicas to ask: those registered in group {@code auth} and UP, then the configured fallback, listed
	 * anew whenever an auth instance changes, for the one channel the authorizer asks them over.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnBooleanProperty(name = "switchboard.registry.auth.enabled", matchIfMissing = true)
	AddressList registryAuthReplicas(InstanceStore store, WatchHub hub, RegistryProperties properties) {
		Supplier<List<String>> targets = AuthTargets.registeredThen(() -> hub.instances()
			.stream()
			.filter((instance) -> instance.getGroup().equals(AUTH) && instance.getStatus() == InstanceStatus.UP)
			.map((instance) -> instance.getHost() + ":" + instance.getPort())
			.toList(), properties.auth().fallbackAddress());
		AddressList replicas = CachingAuthorizer.publishReplicas(targets.get());
		// after the hub's own listener (it subscribed first), so the hub has the change when the list is made
		store.subscribe(new InstanceListener() {
			@Override
			public void updated(InstanceRecord record) {
				changed(record);
			}

			@Override
			public void removed(InstanceRecord record, RemovalReason reason) {
				changed(record);
			}

			private void changed(InstanceRecord record) {
				if (record.group().equals(AUTH)) {
					// made and set under one lock: changes of two auth instances may arrive on two threads at once
					synchronized (replicas) {
						replicas.set(targets.get());
					}
				}
			}
		});
		return replicas;
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnBooleanProperty(name = "switchboard.registry.auth.enabled", matchIfMissing = true)
	CachingAuthorizer registryAuthorizer(AddressList registryAuthReplicas, RegistryProperties properties,
			ClientConnectionManager manager) {
		return CachingAuthorizer.over(registryAuthReplicas, manager, properties.auth().cacheMaxAge(), 100_000,
				properties.auth().timeout());
	}

	/** Auth's revocation push, open from before the gRPC server starts until after it drained. */
	@Bean
	@ConditionalOnBooleanProperty(name = "switchboard.registry.auth.enabled", matchIfMissing = true)
	BackgroundWork registryRevocations(CachingAuthorizer registryAuthorizer,
			@Qualifier("registryMaintenance") ThreadPoolTaskScheduler registryMaintenance) {
		Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), new SplittableRandom());
		return BackgroundWork.of(
				() -> registryAuthorizer.watchRevocations(registryMaintenance.getScheduledExecutor(), backoff),
				registryAuthorizer::close);
	}

	@Bean
	@GlobalServerInterceptor
	@ConditionalOnBooleanProperty(name = "switchboard.registry.auth.enabled", matchIfMissing = true)
	RegistryAuthorization registryAuthorization(CachingAuthorizer registryAuthorizer,
			ObjectProvider<PlatformIdentity> identity) {
		return new RegistryAuthorization(registryAuthorizer, identity.getIfAvailable() != null);
	}

	@Bean
	RegistryEndpoint registryEndpoint(InstanceStore store, WatchHub hub, HeldLeases held) {
		return new RegistryEndpoint(store, hub, held);
	}

}
