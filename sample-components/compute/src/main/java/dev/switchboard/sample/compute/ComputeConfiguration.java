package dev.switchboard.sample.compute;

import java.time.Clock;

import dev.switchboard.client.auth.BearerTokenCredentials;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.component.registration.ComponentRegistrar;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Wires the compute sample: the build scheduler, the server store, the network group's ports and the gRPC service.
 */
@Configuration(proxyBeanMethods = false)
class ComputeConfiguration {

	/** Finishes builds, those of calls served while the component drains too. */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler computeBuildScheduler() {
		return PlatformSchedulers.daemon("compute-build-");
	}

	@Bean
	ServerStore serverStore(@Qualifier("computeBuildScheduler") ThreadPoolTaskScheduler computeBuildScheduler,
			ComputeProperties properties) {
		return new ServerStore(computeBuildScheduler.getScheduledExecutor(), properties.buildTime(),
				Clock.systemUTC());
	}

	@Bean
	NetworkPorts networkPorts(ClientConnectionManager connections, ObjectProvider<TokenSource> tokens) {
		if (connections.settings().resolve(RouterNetworkPorts.ROUTER).address() == null) {
			return NetworkPorts.none();
		}
		// this replica's own client: its grants must allow call:network/*
		TokenSource source = tokens.getIfAvailable();
		return new RouterNetworkPorts(connections, (source != null) ? new BearerTokenCredentials(source) : null);
	}

	@Bean
	ComputeGrpcService computeGrpcService(ServerStore serverStore, NetworkPorts networkPorts,
			ObjectProvider<ComponentRegistrar> registrar, Environment environment) {
		String fallback = environment.getProperty("spring.application.name", "compute");
		// read per reply: the instance id is known only once the gRPC server is bound and registered
		return new ComputeGrpcService(serverStore, networkPorts, () -> {
			ComponentRegistrar current = registrar.getIfAvailable();
			return (current != null) ? current.instanceIdOr(fallback) : fallback;
		});
	}

}
