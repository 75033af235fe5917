package dev.switchboard.autoconfigure.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Actuator users besides the admin, so neither a metrics scraper nor a dashboard holds the admin's password: a scrape
 * user that may read {@code /actuator/prometheus} and nothing else, and a read-only user for dashboards.
 *
 * @param scrapeUser Name of the user allowed to read the prometheus endpoint only
 * @param scrapePassword Its password (plain or {@code {bcrypt}...}); no scrape user exists when unset
 * @param readerUser Name of the read-only user (GET of health, info, metrics, prometheus, loggers, logfile and the
 * platform's own views), such as the dashboard's Spring Boot Admin
 * @param readerPassword Its password (plain or {@code {bcrypt}...}); no reader exists when unset
 */
@ConfigurationProperties("switchboard.management")
public record ManagementSecurityProperties(@DefaultValue("prometheus") String scrapeUser, String scrapePassword,
		@DefaultValue("reader") String readerUser, String readerPassword) {

	/** Returns whether a scrape user is configured. */
	public boolean scrapeUserConfigured() {
		return this.scrapePassword != null && !this.scrapePassword.isBlank();
	}

	/** Returns whether a read-only user is configured. */
	public boolean readerConfigured() {
		return this.readerPassword != null && !this.readerPassword.isBlank();
	}

}
