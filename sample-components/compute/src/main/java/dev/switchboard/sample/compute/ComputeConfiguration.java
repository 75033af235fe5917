package dev.switchboard.sample.compute;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.switchboard.component.registration.ComponentRegistrar;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the compute sample: the build scheduler, the server store and the gRPC service. */
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
	ComputeGrpcService computeGrpcService(ServerStore serverStore, ObjectProvider<ComponentRegistrar> registrar,
			Environment environment) {
		String fallback = environment.getProperty("spring.application.name", "compute");
		// read per reply: the instance id is known only once the gRPC server is bound and registered
		return new ComputeGrpcService(serverStore, () -> {
			ComponentRegistrar current = registrar.getIfAvailable();
			return (current != null) ? current.instanceIdOr(fallback) : fallback;
		});
	}

}
