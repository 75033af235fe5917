package dev.switchboard.registry;

import java.util.Map;

import dev.switchboard.contracts.DefaultPorts;
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
		application.setDefaultProperties(Map.of("spring.grpc.server.port", DefaultPorts.REGISTRY_GRPC, "server.port",
				DefaultPorts.REGISTRY_HTTP));
		application.run(args);
	}

}
