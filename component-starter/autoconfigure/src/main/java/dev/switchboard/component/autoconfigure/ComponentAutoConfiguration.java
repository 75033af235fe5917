package dev.switchboard.component.autoconfigure;

import java.net.InetAddress;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.switchboard.autoconfigure.client.PlatformClientAutoConfiguration;
import dev.switchboard.autoconfigure.client.PlatformClientProperties;
import dev.switchboard.autoconfigure.registry.RegistryWatcherAutoConfiguration;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.health.HealthStatusMapper;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import dev.switchboard.component.load.InFlightCalls;
import dev.switchboard.component.registration.ComponentRegistrar;
import dev.switchboard.component.registration.ComponentRegistrar.BoundServer;
import dev.switchboard.component.registration.ComponentRegistration;
import dev.switchboard.component.registration.SwitchboardServiceRegistry;
import dev.switchboard.registry.v1.InstanceStatus;
import io.grpc.Server;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.StringUtils;

/**
 * Makes a Spring Boot gRPC application a Switchboard component: it registers once its gRPC server is bound,
 * heartbeats its health-derived status and load, drains on shutdown, and sees the platform's instances through a
 * Spring Cloud {@code DiscoveryClient}. It reaches the registry over the {@link RegistryChannels} and watches it with
 * the {@link RegistryWatcher} of the Switchboard auto-configuration ({@code switchboard.client.*}, the same for every
 * platform process). Switched off with {@code switchboard.component.enabled=false}.
 */
@AutoConfiguration(after = { PlatformClientAutoConfiguration.class, RegistryWatcherAutoConfiguration.class })
@ConditionalOnClass({ Server.class, GrpcServerStartedEvent.class, ServiceRegistry.class })
@ConditionalOnBooleanProperty(name = "switchboard.component.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ComponentProperties.class)
public final class ComponentAutoConfiguration {

	@Bean
	@GlobalServerInterceptor
	@ConditionalOnMissingBean
	InFlightCalls switchboardInFlightCalls() {
		return new InFlightCalls();
	}

	/**
	 * The heartbeat thread. It runs until the context destroys it, after the drain has deregistered: the drain's
	 * {@code OUT_OF_SERVICE} heartbeats go out while the context closes.
	 */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler switchboardHeartbeatScheduler() {
		return PlatformSchedulers.daemon("switchboard-heartbeat-");
	}

	@Bean
	@ConditionalOnMissingBean
	SwitchboardServiceRegistry switchboardServiceRegistry(ObjectProvider<RegistryChannels> channels,
			PlatformClientProperties client, InFlightCalls inFlight, ObjectProvider<ApplicationAvailability> availability,
			ObjectProvider<HealthEndpoint> health,
			@Qualifier("switchboardHeartbeatScheduler") ThreadPoolTaskScheduler switchboardHeartbeatScheduler) {
		Supplier<InstanceStatus> status = () -> healthStatus(availability.getIfAvailable(), health.getIfAvailable());
		PlatformClientProperties.Registry registry = client.registry();
		RegistryChannels registryChannels = channels.getIfAvailable(() -> {
			throw new IllegalStateException("a component registers through the registry client, which is off ("
					+ PlatformClientProperties.REGISTRY_ENABLED + "=false); set switchboard.component.enabled=false "
					+ "instead to run without registering");
		});
		return new SwitchboardServiceRegistry(registryChannels, status, inFlight, registry.timeout(),
				registry.initialBackoff(), registry.maxBackoff(), switchboardHeartbeatScheduler.getScheduledExecutor());
	}

	@Bean
	@ConditionalOnMissingBean
	ComponentRegistrar switchboardComponentRegistrar(SwitchboardServiceRegistry registry,
			ComponentProperties properties, InFlightCalls inFlight, Environment environment,
			ObjectProvider<InetUtils> inetUtils) {
		Function<BoundServer, ComponentRegistration> factory = (server) -> registration(properties, environment,
				inetUtils.getIfAvailable(), server);
		return new ComponentRegistrar(registry, factory, inFlight::inFlight, properties.drain().quietPeriod(),
				properties.drain().timeout());
	}

	static InstanceStatus healthStatus(ApplicationAvailability availability, HealthEndpoint health) {
		boolean ready = availability == null
				|| availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
		if (!ready || health == null) {
			return HealthStatusMapper.toInstanceStatus("UP", ready);
		}
		return HealthStatusMapper.toInstanceStatus(health.health().getStatus().getCode(), true);
	}

	static ComponentRegistration registration(ComponentProperties properties, Environment environment,
			InetUtils inetUtils, BoundServer server) {
		String group = StringUtils.hasText(properties.group()) ? properties.group()
				: environment.getRequiredProperty("spring.application.name");
		String host = StringUtils.hasText(properties.host()) ? properties.host() : defaultHost(inetUtils);
		String instanceId = StringUtils.hasText(properties.instanceId()) ? properties.instanceId()
				: group + "-" + host.replace(':', '.') + "-" + server.port();
		return new ComponentRegistration(group, instanceId, host, server.port(), server.services(),
				managementUrl(environment, host), properties.zone(), properties.weight(), properties.metadata());
	}

	private static String defaultHost(InetUtils inetUtils) {
		if (inetUtils != null) {
			return inetUtils.findFirstNonLoopbackHostInfo().getIpAddress();
		}
		return InetAddress.getLoopbackAddress().getHostAddress();
	}

	/** The actuator URL, from the port the management (or main) web server actually bound. */
	private static String managementUrl(Environment environment, String host) {
		String port = environment.getProperty("local.management.port", environment.getProperty("local.server.port"));
		if (port == null) {
			return "";
		}
		String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
		return "http://" + host + ":" + port + basePath;
	}

	/** Spring Cloud's {@code DiscoveryClient} over the registry's view. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(DiscoveryClient.class)
	@ConditionalOnBooleanProperty(name = "switchboard.component.discovery.enabled", matchIfMissing = true)
	@ConditionalOnBean(RegistryWatcher.class)
	static class DiscoveryConfiguration {

		@Bean
		@ConditionalOnMissingBean(SwitchboardDiscoveryClient.class)
		SwitchboardDiscoveryClient switchboardDiscoveryClient(RegistryWatcher watcher) {
			return new SwitchboardDiscoveryClient(watcher);
		}

	}

}
