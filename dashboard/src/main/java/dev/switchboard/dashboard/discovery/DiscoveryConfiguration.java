package dev.switchboard.dashboard.discovery;

import de.codecentric.boot.admin.server.cloud.discovery.ServiceInstanceConverter;
import de.codecentric.boot.admin.server.services.InstanceIdGenerator;
import dev.switchboard.registry.client.RegistryWatcher;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Feeds Spring Boot Admin from the platform: its discovery listener reads the starter's
 * {@code SwitchboardDiscoveryClient} through {@link ReplicaInstanceConverter}, names instances with
 * {@link ReplicaInstanceIdGenerator}, and runs again whenever the registry view changes.
 */
@Configuration(proxyBeanMethods = false)
class DiscoveryConfiguration {

	@Bean
	ServiceInstanceConverter replicaInstanceConverter() {
		return new ReplicaInstanceConverter();
	}

	@Bean
	InstanceIdGenerator replicaInstanceIdGenerator() {
		return new ReplicaInstanceIdGenerator();
	}

	@Bean(destroyMethod = "close")
	RegistryViewHeartbeats registryViewHeartbeats(ApplicationEventPublisher publisher, RegistryWatcher watcher) {
		RegistryViewHeartbeats heartbeats = RegistryViewHeartbeats.onOwnThread(publisher);
		heartbeats.follow(watcher);
		return heartbeats;
	}

}
