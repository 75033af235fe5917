package dev.switchboard.router;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The router: forwards any gRPC call to a healthy replica of the group that serves it. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RouterApplication {

	public static void main(String[] args) {
		SpringApplication.run(RouterApplication.class, args);
	}

}
