package dev.switchboard.dashboard;

import de.codecentric.boot.admin.server.config.EnableAdminServer;

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
		SpringApplication.run(DashboardApplication.class, args);
	}

}
