package dev.switchboard.autoconfigure.registry;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.switchboard.autoconfigure.client.PlatformClientProperties;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class RegistryWatcherAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RegistryWatcherAutoConfiguration.class));

	@Test
	void whenRegistryChannelsThenWatcherOpenedWithTheContext() {
		this.runner.withUserConfiguration(Channels.class)
			.run((context) -> assertThat(context).hasSingleBean(RegistryWatcher.class)
				.hasSingleBean(BackgroundWork.class)
				.hasBean("switchboardWatchScheduler"));
	}

	@Test
	void whenNoRegistryChannelsThenNoWatcher() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(RegistryWatcher.class)
			.doesNotHaveBean(BackgroundWork.class));
	}

	@Test
	void whenWatchDisabledThenNoWatcher() {
		this.runner.withUserConfiguration(Channels.class)
			.withPropertyValues("switchboard.client.watch.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RegistryWatcher.class)
				.doesNotHaveBean(BackgroundWork.class));
	}

	@Test
	void whenBackoffUnsetThenTheStartersDefaults() {
		this.runner.withUserConfiguration(Channels.class).run((context) -> {
			PlatformClientProperties.Registry properties = context.getBean(PlatformClientProperties.class).registry();
			assertThat(properties.initialBackoff()).hasMillis(100);
			assertThat(properties.maxBackoff()).hasSeconds(3);
		});
	}

	@Test
	void whenBackoffSetUnderClientRegistryThenBound() {
		this.runner.withUserConfiguration(Channels.class)
			.withPropertyValues("switchboard.client.registry.initial-backoff=250ms",
					"switchboard.client.registry.max-backoff=10s",
					"switchboard.client.registry.addresses=127.0.0.1:1")
			.run((context) -> {
				PlatformClientProperties.Registry properties = context.getBean(PlatformClientProperties.class).registry();
				assertThat(properties.initialBackoff()).hasMillis(250);
				assertThat(properties.maxBackoff()).hasSeconds(10);
			});
	}

	@Test
	void whenUserDefinesWatcherThenAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(Channels.class, CustomWatcher.class)
			.run((context) -> assertThat(context.getBean(RegistryWatcher.class))
				.isSameAs(context.getBean(CustomWatcher.class).watcher));
	}

	@Configuration(proxyBeanMethods = false)
	static class Channels {

		@Bean(destroyMethod = "shutdownNow")
		ManagedChannel registryChannel() {
			return ManagedChannelBuilder.forTarget("127.0.0.1:2").usePlaintext().build();
		}

		@Bean
		RegistryChannels registryChannels(ManagedChannel registryChannel) {
			return new RegistryChannels(List.of("127.0.0.1:2"), (target) -> registryChannel);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomWatcher {

		final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

		final RegistryWatcher watcher;

		CustomWatcher(RegistryChannels channels) {
			this.watcher = new RegistryWatcher(channels, WatchRequest.getDefaultInstance(),
					new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new SplittableRandom()), this.scheduler);
		}

		@Bean(destroyMethod = "close")
		RegistryWatcher registryWatcher() {
			return this.watcher;
		}

		@PreDestroy
		void stopScheduler() {
			this.scheduler.shutdownNow();
		}

	}

}
