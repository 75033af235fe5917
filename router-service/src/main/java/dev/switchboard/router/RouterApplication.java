package dev.switchboard.router;

import java.util.Map;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The router: forwards any gRPC call to a healthy replica of the group that serves it. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RouterApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(RouterApplication.class);
		// its ports on one machine and in its container, from the one place the platform's layout is written
		application.setDefaultProperties(Map.of("spring.grpc.server.port", DefaultPorts.ROUTER_GRPC, "server.port", DefaultPorts.ROUTER_HTTP));
		application.run(args);
	}

}
