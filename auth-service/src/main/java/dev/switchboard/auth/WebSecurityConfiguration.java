package dev.switchboard.auth;

import dev.switchboard.auth.token.FailureCounter;
import dev.switchboard.auth.token.IssuanceLimit;
import dev.switchboard.auth.token.Lockouts;
import dev.switchboard.auth.token.TimingSafeClientSecretAuthenticationProvider;
import dev.switchboard.auth.token.TokenEndpointGuard;
import dev.switchboard.auth.token.TokenErrorResponseHandler;
import dev.switchboard.autoconfigure.actuate.ManagementSecurityAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The HTTP security of the auth service, three chains tried in order:
 * <ol>
 * <li>Spring Authorization Server's endpoints ({@code /oauth2/token}, {@code /oauth2/jwks},
 * {@code /.well-known/oauth-authorization-server}, ...): clients authenticate with their secret; no OIDC, no login
 * page, no sessions.</li>
 * <li>The actuator, the platform's way (the auto-configuration's {@link ManagementSecurityAutoConfiguration} backs off
 * once an application defines chains, and its rules are reused here): {@code health} and {@code info} open,
 * {@code prometheus} for the admin or the scrape user, every other endpoint needs role
 * {@value ManagementSecurityAutoConfiguration#ADMIN_ROLE} over HTTP basic ({@code spring.security.user.*}).</li>
 * <li>{@code GET /ca}, the platform's trust bundle, is open like the JWKS; everything else is denied (error
 * dispatches excepted, so refusals keep their status).</li>
 * </ol>
 * The {@link TokenEndpointGuard} runs as a servlet filter before all of them, on the token endpoint only, and locks
 * out guessing. Inside SAS, a client's secret is checked as slowly when the client is not found as when the secret is
 * wrong ({@link TimingSafeClientSecretAuthenticationProvider}), and an authenticated client over its
 * {@link IssuanceLimit} gets 429 instead of a token.
 */
@Configuration(proxyBeanMethods = false)
class WebSecurityConfiguration {

	@Bean
	@Order(1)
	SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http,
			RegisteredClientRepository registeredClients, IssuanceLimit issuanceLimit, AuthProperties properties)
			throws Exception {
		// SAS's default secret encoder, set on its check and on the timing-safe one so that both cost the same
		PasswordEncoder secrets = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		http.oauth2AuthorizationServer((server) -> {
			http.securityMatcher(server.getEndpointsMatcher());
			server.clientAuthentication((clients) -> clients.authenticationProviders((providers) -> providers
				.replaceAll((provider) -> (provider instanceof ClientSecretAuthenticationProvider clientSecret)
						? timingSafe(clientSecret, registeredClients, secrets) : provider)));
			if (properties.rateLimit().enabled()) {
				server.tokenEndpoint((token) -> token
					.authenticationProviders((providers) -> providers.forEach((each) -> limit(each, issuanceLimit)))
					.errorResponseHandler(new TokenErrorResponseHandler()));
			}
		});
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

	/** Has SAS check the requested scopes as it does by default, then the client's issuance limit. */
	private static void limit(AuthenticationProvider provider, IssuanceLimit issuanceLimit) {
		if (provider instanceof OAuth2ClientCredentialsAuthenticationProvider clientCredentials) {
			clientCredentials.setAuthenticationValidator(
					new OAuth2ClientCredentialsAuthenticationValidator().andThen(issuanceLimit));
		}
	}

	private static AuthenticationProvider timingSafe(ClientSecretAuthenticationProvider clientSecret,
			RegisteredClientRepository registeredClients, PasswordEncoder secrets) {
		clientSecret.setPasswordEncoder(secrets);
		return new TimingSafeClientSecretAuthenticationProvider(clientSecret, registeredClients, secrets);
	}

	@Bean
	FilterRegistrationBean<TokenEndpointGuard> tokenEndpointGuard(FailureCounter failures, Lockouts lockouts,
			AuthProperties properties, AuthorizationServerSettings settings, MeterRegistry meters) {
		FilterRegistrationBean<TokenEndpointGuard> registration = new FilterRegistrationBean<>(
				new TokenEndpointGuard(failures, lockouts, properties.rateLimit(), meters));
		registration.addUrlPatterns(settings.getTokenEndpoint());
		registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
		return registration;
	}

}
