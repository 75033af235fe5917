package dev.switchboard.common.actuate;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A second actuator user that may read {@code /actuator/prometheus} and nothing else, so a metrics scraper does not
 * hold the admin's password.
 *
 * @param scrapeUser Name of the user allowed to read the prometheus endpoint only
 * @param scrapePassword Its password (plain or {@code {bcrypt}...}); no scrape user exists when unset
 */
@ConfigurationProperties("switchboard.management")
public record ManagementSecurityProperties(@DefaultValue("prometheus") String scrapeUser, String scrapePassword) {

	/** Returns whether a scrape user is configured. */
	public boolean scrapeUserConfigured() {
		return this.scrapePassword != null && !this.scrapePassword.isBlank();
	}

}
