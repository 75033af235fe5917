package dev.switchboard.component.autoconfigure;

import java.util.List;
import java.util.concurrent.Executor;

import dev.switchboard.autoconfigure.client.PlatformClientAutoConfiguration;
import dev.switchboard.autoconfigure.connection.ClientConnectionAutoConfiguration;
import dev.switchboard.autoconfigure.registry.RegistryWatcherAutoConfiguration;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.component.discovery.SwitchboardDiscoveryClient;
import dev.switchboard.component.load.InFlightCalls;
import dev.switchboard.component.registration.ComponentRegistrar;
import dev.switchboard.component.registration.ComponentRegistrar.BoundServer;
import dev.switchboard.component.registration.ComponentRegistration;
import dev.switchboard.component.registration.SwitchboardServiceRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class ComponentAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(ClientConnectionAutoConfiguration.class, PlatformClientAutoConfiguration.class,
						ComponentAutoConfiguration.class, RegistryWatcherAutoConfiguration.class))
		.withPropertyValues("spring.application.name=compute", "switchboard.client.registry.addresses=127.0.0.1:1");

	@Test
	void whenGrpcServerOnClassPathThenComponentBeansCreated() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(SwitchboardServiceRegistry.class)
			.hasSingleBean(ComponentRegistrar.class)
			.hasSingleBean(InFlightCalls.class)
			.hasSingleBean(RegistryChannels.class)
			.hasSingleBean(ClientConnectionManager.class)
			.hasSingleBean(DiscoveryClient.class));
	}

	@Test
	void whenWatchingThenBootsApplicationTaskExecutorStays() {
		// the starter's schedulers are no default candidates: Boot keeps its executor, and the application gets it
		this.runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(SwitchboardDiscoveryClient.class).hasBean("applicationTaskExecutor");
				assertThat(context.getBeanProvider(Executor.class).getObject())
					.isSameAs(context.getBean("applicationTaskExecutor"));
			});
	}

	@Test
	void whenDisabledThenNoComponentBeans() {
		this.runner.withPropertyValues("switchboard.component.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SwitchboardServiceRegistry.class)
				.doesNotHaveBean(ComponentRegistrar.class)
				.doesNotHaveBean(DiscoveryClient.class));
	}

	@Test
	void whenDiscoveryDisabledThenRegistersAndWatchesButNoDiscoveryClient() {
		// the router reads the watcher for its routing table with the DiscoveryClient off
		this.runner.withPropertyValues("switchboard.component.discovery.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ComponentRegistrar.class)
				.hasSingleBean(RegistryWatcher.class)
				.doesNotHaveBean(SwitchboardDiscoveryClient.class));
	}

	@Test
	void whenWatchDisabledThenNeitherWatcherNorDiscoveryClient() {
		this.runner.withPropertyValues("switchboard.client.watch.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(ComponentRegistrar.class)
				.doesNotHaveBean(RegistryWatcher.class)
				.doesNotHaveBean(SwitchboardDiscoveryClient.class));
	}

	@Test
	void whenNoGrpcServerOnClassPathThenNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(GrpcServerStartedEvent.class))
			.run((context) -> assertThat(context).doesNotHaveBean(SwitchboardServiceRegistry.class));
	}

	@Test
	void whenTheRegistryClientIsOffThenTheComponentSaysWhatItMisses() {
		// a component cannot register without a registry client: it fails to start rather than silently not joining
		this.runner.withPropertyValues("switchboard.client.registry.enabled=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("switchboard.client.registry.enabled=false"));
	}

	@Test
	void whenPropertiesBoundThenDefaultsAreThePlatformsDefaults() {
		this.runner.run((context) -> {
			ComponentProperties properties = context.getBean(ComponentProperties.class);
			assertThat(properties.weight()).isEqualTo(100);
			assertThat(properties.drain().quietPeriod()).hasMillis(500);
			assertThat(properties.drain().timeout()).hasSeconds(10);
		});
	}

	@Test
	void whenGroupAndHostUnsetThenGroupIsApplicationNameAndIdNamesHostAndPort() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "volume")
			.withProperty("switchboard.component.host", "10.0.0.7")
			.withProperty("local.server.port", "8201");
		ComponentProperties properties = Binder.get(environment)
			.bindOrCreate("switchboard.component", ComponentProperties.class);
		ComponentRegistration registration = ComponentAutoConfiguration.registration(properties, environment, null,
				new BoundServer(9301, List.of("a.v1.A")));
		assertThat(registration.getServiceId()).isEqualTo("volume");
		assertThat(registration.getInstanceId()).isEqualTo("volume-10.0.0.7-9301");
		assertThat(registration.getManagementUrl()).isEqualTo("http://10.0.0.7:8201/actuator");
		assertThat(registration.toRequest(dev.switchboard.registry.v1.InstanceStatus.STARTING).getServicesList())
			.containsExactly("a.v1.A");
	}

	@Test
	void whenNoWebServerThenNoManagementUrl() {
		ComponentProperties properties = Binder.get(new StandardEnvironment())
			.bindOrCreate("switchboard.component", ComponentProperties.class);
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "x");
		assertThat(ComponentAutoConfiguration
			.registration(properties, environment, null, new BoundServer(1, List.of("a.A")))
			.getManagementUrl()).isEmpty();
	}

}
