package dev.switchboard.sample.volume;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A sample block-storage component: volumes in memory, served over gRPC, registered through the component starter. */
@SpringBootApplication
public class VolumeApplication {

	public static void main(String[] args) {
		SpringApplication.run(VolumeApplication.class, args);
	}

}
