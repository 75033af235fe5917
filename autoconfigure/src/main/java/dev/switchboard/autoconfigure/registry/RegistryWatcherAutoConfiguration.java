package dev.switchboard.autoconfigure.registry;

import java.util.SplittableRandom;

import dev.switchboard.autoconfigure.client.PlatformClientAutoConfiguration;
import dev.switchboard.autoconfigure.client.PlatformClientProperties;
import dev.switchboard.client.connection.BackgroundWork;
import dev.switchboard.client.connection.PlatformSchedulers;
import dev.switchboard.client.grpc.Backoff;
import dev.switchboard.client.registry.RegistryChannels;
import dev.switchboard.client.registry.RegistryWatcher;
import dev.switchboard.registry.v1.WatchRequest;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The registry's Watch stream as a {@link RegistryWatcher}, for every process that has {@link RegistryChannels}
 * ({@link PlatformClientAutoConfiguration} makes them from {@code switchboard.client.registry.*}): the router's
 * routing table, the component starter's {@code DiscoveryClient} and the dashboard read it. On its own switch,
 * {@value PlatformClientProperties#WATCH_ENABLED} (on by default), so turning the {@code DiscoveryClient} off leaves it
 * running.
 */
@AutoConfiguration(after = PlatformClientAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = PlatformClientProperties.WATCH_ENABLED, matchIfMissing = true)
@ConditionalOnBean(RegistryChannels.class)
@EnableConfigurationProperties(PlatformClientProperties.class)
public final class RegistryWatcherAutoConfiguration {

	/** The watch's thread. */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskScheduler switchboardWatchScheduler() {
		return PlatformSchedulers.daemon("switchboard-watch-");
	}

	/** Opened by {@link #switchboardRegistryWatch}, once the context starts. */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	RegistryWatcher switchboardRegistryWatcher(RegistryChannels channels, PlatformClientProperties properties,
			@Qualifier("switchboardWatchScheduler") ThreadPoolTaskScheduler switchboardWatchScheduler) {
		PlatformClientProperties.Registry registry = properties.registry();
		return new RegistryWatcher(channels, WatchRequest.getDefaultInstance(),
				new Backoff(registry.initialBackoff(), registry.maxBackoff(), new SplittableRandom()),
				switchboardWatchScheduler.getScheduledExecutor());
	}

	/**
	 * Opens the Watch stream before the gRPC server starts and closes it after the server drained, so routing and
	 * discovery see the platform for every call the server takes.
	 */
	@Bean
	BackgroundWork switchboardRegistryWatch(RegistryWatcher watcher) {
		return BackgroundWork.of(watcher::start, watcher::close);
	}

}
