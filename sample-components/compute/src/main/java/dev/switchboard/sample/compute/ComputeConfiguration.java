package dev.switchboard.sample.compute;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.switchboard.common.auth.BearerTokenCredentials;
import dev.switchboard.common.auth.TokenSource;
import dev.switchboard.common.client.ClientConnectionManager;
import dev.switchboard.component.registration.ComponentRegistrar;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the compute sample: the build scheduler, the server store, the network group's ports and the gRPC service.
 */
@Configuration(proxyBeanMethods = false)
class ComputeConfiguration {

	@Bean(destroyMethod = "shutdownNow")
	ScheduledExecutorService computeBuildScheduler() {
		return Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "compute-build");
			thread.setDaemon(true);
			return thread;
		});
	}

	@Bean
	ServerStore serverStore(ScheduledExecutorService computeBuildScheduler, ComputeProperties properties) {
		return new ServerStore(computeBuildScheduler, properties.buildTime(), Clock.systemUTC());
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
