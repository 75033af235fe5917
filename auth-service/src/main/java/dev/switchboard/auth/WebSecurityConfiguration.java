package dev.switchboard.auth;

import dev.switchboard.auth.token.FailureCounter;
import dev.switchboard.auth.token.TokenEndpointGuard;
import dev.switchboard.common.actuate.ManagementSecurityAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;

import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The HTTP security of the auth service, three chains tried in order:
 * <ol>
 * <li>Spring Authorization Server's endpoints ({@code /oauth2/token}, {@code /oauth2/jwks},
 * {@code /.well-known/oauth-authorization-server}, ...): clients authenticate with their secret; no OIDC, no login
 * page, no sessions.</li>
 * <li>The actuator, the platform's way (the common {@link ManagementSecurityAutoConfiguration} backs off once an
 * application defines chains, and its rules are reused here): {@code health} and {@code info} open,
 * {@code prometheus} for the admin or the scrape user, every other endpoint needs role
 * {@value ManagementSecurityAutoConfiguration#ADMIN_ROLE} over HTTP basic ({@code spring.security.user.*}).</li>
 * <li>{@code GET /ca}, the platform's trust bundle, is open like the JWKS; everything else is denied (error
 * dispatches excepted, so refusals keep their status).</li>
 * </ol>
 * The {@link TokenEndpointGuard} runs as a servlet filter before all of them, on the token endpoint only.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurityConfiguration {

	@Bean
	@Order(1)
	SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http) throws Exception {
		http.oauth2AuthorizationServer((server) -> http.securityMatcher(server.getEndpointsMatcher()));
		http.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated());
		http.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain actuatorSecurityFilterChain(HttpSecurity http) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint());
		http.authorizeHttpRequests((requests) -> ManagementSecurityAutoConfiguration.authorizeEndpoints(requests)
			.anyRequest()
			.denyAll());
		http.httpBasic(Customizer.withDefaults());
		// basic-authenticated and stateless: no session cookie a forged cross-site request could ride on
		http.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
		http.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	@Order(3)
	SecurityFilterChain denyEverythingElseSecurityFilterChain(HttpSecurity http) throws Exception {
		// error dispatches render the status a refused request already got (401, 403, ...) instead of a second 403
		http.authorizeHttpRequests((requests) -> requests.dispatcherTypeMatchers(DispatcherType.ERROR)
			.permitAll()
			.requestMatchers(HttpMethod.GET, "/ca")
			.permitAll()
			.anyRequest()
			.denyAll());
		http.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	FilterRegistrationBean<TokenEndpointGuard> tokenEndpointGuard(FailureCounter failures,
			AuthProperties properties, AuthorizationServerSettings settings, MeterRegistry meters) {
		FilterRegistrationBean<TokenEndpointGuard> registration = new FilterRegistrationBean<>(
				new TokenEndpointGuard(failures, properties.rateLimit(), meters));
		registration.addUrlPatterns(settings.getTokenEndpoint());
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
		return registration;
	}

}
