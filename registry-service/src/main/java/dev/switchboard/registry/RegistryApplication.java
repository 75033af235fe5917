package dev.switchboard.registry;

import dev.switchboard.launcher.topology.PlatformService;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The registry: registrations, leases, heartbeats, eviction and the Watch stream. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class RegistryApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(RegistryApplication.class);
		// its ports on one machine and in its container, from the one place the platform's layout is written
		application.setDefaultProperties(PlatformService.REGISTRY.defaultProperties());
		application.run(args);
	}

}
