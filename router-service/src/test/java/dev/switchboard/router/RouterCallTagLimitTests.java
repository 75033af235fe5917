package dev.switchboard.router;

import java.util.Map;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class RouterCallTagLimitTests {

	@Test
	void whenMoreMethodsThanTheCapAreMeteredThenOnlyTheCapIsRegistered() {
		RouterProperties properties = new Binder(
				new MapConfigurationPropertySource(Map.of("switchboard.router.max-method-tags", "3")))
			.bindOrCreate("switchboard.router", RouterProperties.class);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		registry.config().meterFilter(new RouterConfiguration().routerCallTagLimit(properties));
		for (int i = 0; i < 50; i++) {
			Timer.builder("switchboard.router.calls")
				.tags("group", "compute", "method", "pkg.Compute/M" + i, "status", "OK")
				.register(registry)
				.record(java.time.Duration.ofMillis(1));
		}
		assertThat(registry.find("switchboard.router.calls").timers()).hasSize(3);
		// other meters are not limited
		registry.counter("switchboard.router.other", "method", "a");
		registry.counter("switchboard.router.other", "method", "b");
		assertThat(registry.find("switchboard.router.other").counters()).hasSize(2);
	}

}
