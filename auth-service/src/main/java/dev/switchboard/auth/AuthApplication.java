package dev.switchboard.auth;

import java.util.Map;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The auth service: clients, OAuth2 token issuing, token validation and authorization, revocation push. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AuthApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(AuthApplication.class);
		// its ports on one machine and in its container, from the one place the platform's layout is written
		application.setDefaultProperties(Map.of("spring.grpc.server.port", DefaultPorts.AUTH_GRPC, "server.port", DefaultPorts.AUTH_HTTP));
		application.run(args);
	}

}
