package dev.switchboard.sample.compute;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A sample compute component: servers in memory, served over gRPC, registered through the component starter. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ComputeApplication {

	public static void main(String[] args) {
		SpringApplication.run(ComputeApplication.class, args);
	}

}
