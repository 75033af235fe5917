package dev.switchboard.dashboard.discovery;

import de.codecentric.boot.admin.server.cloud.discovery.InstanceDiscoveryListener;
import de.codecentric.boot.admin.server.cloud.discovery.ServiceInstanceConverter;
import de.codecentric.boot.admin.server.domain.entities.InstanceRepository;
import de.codecentric.boot.admin.server.services.InstanceIdGenerator;
import de.codecentric.boot.admin.server.services.InstanceRegistry;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.registry.RegistryWatcher;

import org.springframework.beans.factory.annotation.Qualifier;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Feeds Spring Boot Admin from the platform: its discovery listener reads the starter's
 * {@code SwitchboardDiscoveryClient} through {@link ReplicaInstanceConverter}, leaves out replicas without an actuator
 * ({@link ActuatorOnlyDiscoveryListener}), names instances with {@link ReplicaInstanceIdGenerator}, and runs again
 * whenever the registry view changes.
 */
@Configuration(proxyBeanMethods = false)
class DiscoveryConfiguration {

	@Bean
	ServiceInstanceConverter replicaInstanceConverter() {
		return new ReplicaInstanceConverter();
	}

	/** Replaces Spring Boot Admin's own listener, with the same settings ({@code spring.boot.admin.discovery.*}). */
	@Bean
	@ConfigurationProperties("spring.boot.admin.discovery")
	InstanceDiscoveryListener instanceDiscoveryListener(ServiceInstanceConverter converter, DiscoveryClient discovery,
			InstanceRegistry registry, InstanceRepository repository) {
		InstanceDiscoveryListener listener = new ActuatorOnlyDiscoveryListener(discovery, registry, repository);
		listener.setConverter(converter);
		return listener;
	}

	@Bean
	InstanceIdGenerator replicaInstanceIdGenerator() {
		return new ReplicaInstanceIdGenerator();
	}

	/** The thread Spring Boot Admin's discovery runs on when the registry view changes. */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler dashboardDiscovery() {
		return PlatformSchedulers.daemon("dashboard-discovery-");
	}

	@Bean
	RegistryViewHeartbeats registryViewHeartbeats(ApplicationEventPublisher publisher,
			@Qualifier("dashboardDiscovery") ThreadPoolTaskScheduler dashboardDiscovery) {
		return new RegistryViewHeartbeats(publisher, dashboardDiscovery);
	}

	/** Follows the registry view from when the context starts until it stops. */
	@Bean
	BackgroundWork registryViewFollowing(RegistryViewHeartbeats heartbeats, RegistryWatcher watcher) {
		return BackgroundWork.of(() -> heartbeats.follow(watcher), heartbeats::stop);
	}

}
