package dev.switchboard.dashboard;

import java.util.Map;

import de.codecentric.boot.admin.server.config.EnableAdminServer;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The admin dashboard: Spring Boot Admin fed by the platform's DiscoveryClient, for every replica's health, metrics
 * and logs, plus the platform's own view ({@code /platform}) of groups, leases, load and the OUT_OF_SERVICE switch.
 * It runs no gRPC server and registers nothing; it only watches and administers.
 */
@SpringBootApplication
@EnableAdminServer
public class DashboardApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(DashboardApplication.class);
		// its ports on one machine and in its container, from the one place the platform's layout is written
		application.setDefaultProperties(Map.of("server.port", DefaultPorts.DASHBOARD_HTTP));
		application.run(args);
	}

}
