package dev.switchboard.autoconfigure.identity;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes mutual TLS with the platform identity the gRPC server's default: {@code spring.grpc.server.ssl.bundle} is
 * the identity's bundle and client certificates are required, unless the application or its operator says
 * otherwise (these defaults have the lowest precedence) or {@code switchboard.identity.enabled=false}.
 */
public final class IdentityEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String SOURCE = "switchboardIdentityDefaults";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (!environment.getProperty("switchboard.identity.enabled", Boolean.class, true)) {
			return;
		}
		environment.getPropertySources()
			.addLast(new MapPropertySource(SOURCE,
					Map.of("spring.grpc.server.ssl.bundle", IdentityAutoConfiguration.SSL_BUNDLE,
							"spring.grpc.server.ssl.client-auth", "require")));
	}

}
