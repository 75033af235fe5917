package dev.switchboard.router;

import dev.switchboard.router.proxy.PrincipalRateLimiter;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.AbstractApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code switchboard.router.rate-limits.*} as RouterConfiguration reads it. Every other bean is lazy, so only the
 * properties and the limiter are built.
 */
class RouterRateLimitsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Properties.class, RouterConfiguration.class)
		.withBean(LazyInitializationBeanFactoryPostProcessor.class)
		.withBean(LazyInitializationExcludeFilter.class,
				() -> LazyInitializationExcludeFilter.forBeanTypes(RouterProperties.class, PrincipalRateLimiter.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		// a context starts its lifecycle beans (auth's revocation stream) even when lazy; here nothing starts
		.withBean(AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME, LifecycleProcessor.class,
				NothingStarts::new);

	@Test
	void whenNothingIsConfiguredThenNoLimiterExists() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(RouterProperties.class).rateLimits().enabled()).isFalse();
			assertThat(context).doesNotHaveBean(PrincipalRateLimiter.class);
		});
	}

	@Test
	void whenEnabledThenEachPrincipalGetsItsConfiguredLimit() {
		this.runner
			.withPropertyValues("switchboard.router.rate-limits.enabled=true",
					"switchboard.router.rate-limits.calls-per-second=0.001",
					"switchboard.router.rate-limits.principals.vip.calls-per-second=0.5",
					"switchboard.router.rate-limits.principals.vip.burst=3")
			.run((context) -> {
				PrincipalRateLimiter limiter = context.getBean(PrincipalRateLimiter.class);
				assertThat(limiter.admit("demo")).isNull();
				assertThat(limiter.admit("demo")).extracting(Status::getDescription)
					.isEqualTo("client 'demo' is over its rate limit of 0.001 calls/s");
				for (int i = 0; i < 3; i++) {
					assertThat(limiter.admit("vip")).isNull();
				}
				assertThat(limiter.admit("vip")).extracting(Status::getCode, Status::getDescription)
					.containsExactly(Status.Code.RESOURCE_EXHAUSTED, "client 'vip' is over its rate limit of 0.5 calls/s");
				assertThat(context.getBean(MeterRegistry.class).get("switchboard.router.rate-limited").counter().count())
					.isEqualTo(2);
			});
	}

	@Test
	void whenARateIsNotPositiveThenStartupFailsNamingTheProperty() {
		this.runner.withPropertyValues("switchboard.router.rate-limits.calls-per-second=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.router.rate-limits.calls-per-second must be between 0.001 and 1000000000, "
						+ "not 0.0"));
	}

	@Test
	void whenAPrincipalsLimitHasNoRateThenStartupFailsNamingThePrincipal() {
		this.runner.withPropertyValues("switchboard.router.rate-limits.enabled=true",
				"switchboard.router.rate-limits.principals.demo.burst=5")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.router.rate-limits.principals[demo].calls-per-second must be between 0.001 "
						+ "and 1000000000, not 0.0"));
	}

	@Test
	void whenABurstIsBelowOneThenStartupFailsNamingTheProperty() {
		this.runner.withPropertyValues("switchboard.router.rate-limits.burst=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("switchboard.router.rate-limits.burst must be between 1 and 1000000000, not 0"));
	}

	@Test
	void whenEnabledWithoutAuthorizationThenStartupFails() {
		this.runner.withPropertyValues("switchboard.router.rate-limits.enabled=true",
				"switchboard.router.auth.enabled=false")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith("switchboard.router.rate-limits.enabled needs switchboard.router.auth.enabled"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(RouterProperties.class)
	static class Properties {

	}

	/** A lifecycle processor that starts and stops nothing. */
	static final class NothingStarts implements LifecycleProcessor {

		@Override
		public void onRefresh() {
		}

		@Override
		public void onClose() {
		}

		@Override
		public void start() {
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

	}

}
