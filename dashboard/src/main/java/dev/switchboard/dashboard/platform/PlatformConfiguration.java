package dev.switchboard.dashboard.platform;

import java.time.Clock;

import dev.switchboard.autoconfigure.client.PlatformClientProperties;
import dev.switchboard.client.registry.RegistryChannels;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The platform view: its registry client on the process's registry channels (which carry the dashboard's token), and
 * its script and style under {@code /platform/assets/}.
 */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration implements WebMvcConfigurer {

	@Bean
	PlatformRegistry platformRegistry(RegistryChannels channels, PlatformClientProperties properties) {
		return new PlatformRegistry(channels, properties.registry().timeout(), Clock.systemUTC());
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler("/platform/assets/**").addResourceLocations("classpath:/dashboard/platform/assets/");
	}

}
