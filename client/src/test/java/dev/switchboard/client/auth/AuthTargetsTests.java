package dev.switchboard.client.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthTargetsTests {

	@Test
	void registeredReplicasComeFirstThenEveryFallbackOnce() {
		List<String> registered = new ArrayList<>(List.of("10.0.0.2:9102"));
		Supplier<List<String>> targets = AuthTargets.registeredThen(() -> registered,
				List.of("10.0.0.1:9102", "10.0.0.2:9102"));
		assertThat(targets.get()).containsExactly("10.0.0.2:9102", "10.0.0.1:9102");

		registered.clear();
		assertThat(targets.get()).containsExactly("10.0.0.1:9102", "10.0.0.2:9102");
	}

}
