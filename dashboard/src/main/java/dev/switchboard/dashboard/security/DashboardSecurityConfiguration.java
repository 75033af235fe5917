package dev.switchboard.dashboard.security;

import de.codecentric.boot.admin.server.config.AdminServerProperties;
import dev.switchboard.autoconfigure.actuate.ManagementSecurityAutoConfiguration;
import jakarta.servlet.DispatcherType;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The dashboard's one login, Spring Boot Admin's documented servlet setup: form login on its login page (HTTP basic
 * for scripts), the {@code ADMIN} role for everything but the login page and its assets, the dashboard's own actuator
 * under the platform's usual rules ({@code health} and {@code info} open); CSRF tokens in the {@code XSRF-TOKEN}
 * cookie, which the UIs send back as a header (no replica registers itself over HTTP, so no Spring Boot Admin
 * endpoint is exempt). The platform API answers 401 rather than redirecting to the login
 * page, and the platform view may be framed by Spring Boot Admin's own pages (same origin only).
 */
@Configuration(proxyBeanMethods = false)
class DashboardSecurityConfiguration {

	@Bean
	SecurityFilterChain dashboardSecurityFilterChain(HttpSecurity http, AdminServerProperties adminServer)
			throws Exception {
		PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
		SameOriginLoginRedirect loggedIn = new SameOriginLoginRedirect(adminServer.path("/"));
		http.authorizeHttpRequests((requests) -> ManagementSecurityAutoConfiguration.authorizeEndpoints(requests)
			.requestMatchers(paths.matcher(adminServer.path("/login")), paths.matcher(adminServer.path("/assets/**")))
			.permitAll()
			// an async dispatch continues an authorized request (Spring Boot Admin's event streams); an error dispatch
			// renders the status of a refused one (a missing CSRF token is 403, not a login prompt)
			.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR)
			.permitAll()
			.anyRequest()
			.hasRole(ManagementSecurityAutoConfiguration.ADMIN_ROLE));
		http.formLogin((form) -> form.loginPage(adminServer.path("/login")).successHandler(loggedIn));
		http.logout((logout) -> logout.logoutUrl(adminServer.path("/logout")));
		http.httpBasic(Customizer.withDefaults());
		http.exceptionHandling((exceptions) -> exceptions.defaultAuthenticationEntryPointFor(
				new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), paths.matcher("/platform/api/**")));
		http.csrf((csrf) -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
			.csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
			.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
		http.addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class);
		http.headers((headers) -> headers.frameOptions((frames) -> frames.sameOrigin()));
		return http.build();
	}

}
