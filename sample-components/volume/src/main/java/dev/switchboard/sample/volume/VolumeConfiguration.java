package dev.switchboard.sample.volume;

import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.component.registration.ComponentRegistrar;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the volume sample: the volume store and the gRPC service. */
@Configuration(proxyBeanMethods = false)
class VolumeConfiguration {

	@Bean
	VolumeStore volumeStore() {
		return new VolumeStore();
	}

	@Bean
	ServerDirectory serverDirectory(DiscoveryClient discovery, ClientConnectionManager connections) {
		return new ComputeServerDirectory(discovery, connections);
	}

	@Bean
	VolumeGrpcService volumeGrpcService(VolumeStore volumeStore, ServerDirectory servers,
			ObjectProvider<ComponentRegistrar> registrar, Environment environment) {
		String fallback = environment.getProperty("spring.application.name", "volume");
		// read per reply: the instance id is known only once the gRPC server is bound and registered
		return new VolumeGrpcService(volumeStore, servers, () -> {
			ComponentRegistrar current = registrar.getIfAvailable();
			return (current != null) ? current.instanceIdOr(fallback) : fallback;
		});
	}

}
