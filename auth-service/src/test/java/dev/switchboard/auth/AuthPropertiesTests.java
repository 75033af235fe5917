package dev.switchboard.auth;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code switchboard.auth.rate-limit.*} as the service binds it: its defaults, and the settings it refuses. */
class AuthPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Properties.class);

	@Test
	void whenNothingIsSetThenTheTokenEndpointLimitsHaveTheirDefaults() {
		this.runner.run((context) -> assertThat(context.getBean(AuthProperties.class).rateLimit())
			.isEqualTo(new AuthProperties.RateLimit(true, 5, 20, Duration.ofMinutes(1), Duration.ofHours(1),
					Duration.ofHours(24), 600)));
	}

	@Test
	void whenTheLimitsAreSetThenTheyAreBound() {
		this.runner
			.withPropertyValues("switchboard.auth.rate-limit.max-lockout=30m",
					"switchboard.auth.rate-limit.forget-after=2h", "switchboard.auth.rate-limit.client-issues=5000")
			.run((context) -> assertThat(context.getBean(AuthProperties.class).rateLimit())
				.extracting(AuthProperties.RateLimit::maxLockout, AuthProperties.RateLimit::forgetAfter,
						AuthProperties.RateLimit::clientIssues)
				.containsExactly(Duration.ofMinutes(30), Duration.ofHours(2), 5000));
	}

	@Test
	void whenABudgetIsNotPositiveThenStartupFailsNamingTheProperty() {
		this.runner.withPropertyValues("switchboard.auth.rate-limit.client-issues=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.auth.rate-limit.client-issues must be at least 1, not 0"));
		this.runner.withPropertyValues("switchboard.auth.rate-limit.client-failures=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.auth.rate-limit.client-failures must be at least 1, not -1"));
	}

	@Test
	void whenTheLongestLockoutIsShorterThanAFirstOneThenStartupFailsNamingBoth() {
		this.runner.withPropertyValues("switchboard.auth.rate-limit.max-lockout=30s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.auth.rate-limit.max-lockout (PT30S) must be at least the window (PT1M), "
						+ "the length of a first lockout"));
	}

	@Test
	void whenTheForgivenessPeriodIsNotPositiveThenStartupFailsNamingIt() {
		this.runner.withPropertyValues("switchboard.auth.rate-limit.forget-after=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.auth.rate-limit.forget-after must be positive, not PT0S"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AuthProperties.class)
	static class Properties {

	}

}
