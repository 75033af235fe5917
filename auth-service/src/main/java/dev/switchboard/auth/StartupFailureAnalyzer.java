package dev.switchboard.auth;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link StartupException} as Spring Boot's short "APPLICATION FAILED TO START" text: its one-line message,
 * no stack trace. Registered in {@code META-INF/spring.factories}. Stateless.
 */
public final class StartupFailureAnalyzer extends AbstractFailureAnalyzer<StartupException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, StartupException cause) {
		return new FailureAnalysis(cause.getMessage(), "Fix the setting or file named above and start again.", cause);
	}

}
