package dev.switchboard.common.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Locks the actuator down the platform's way: {@code health} and {@code info} are open, {@code prometheus} needs the
 * {@code ADMIN} or {@code SCRAPE} role, every other endpoint the {@code ADMIN} role, over HTTP basic. The admin user is
 * Boot's own ({@code spring.security.user.*}), named {@code admin} with role {@code ADMIN} by default; set its password
 * with {@code SPRING_SECURITY_USER_PASSWORD} (plain or {@code {bcrypt}...}), or Boot generates one and logs it at
 * start-up. A scrape user exists when {@code switchboard.management.scrape-password} is set.
 */
@AutoConfiguration(before = { ManagementWebSecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class,
		UserDetailsServiceAutoConfiguration.class })
@ConditionalOnClass({ SecurityFilterChain.class, EndpointRequest.class, HttpSecurity.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({ ManagementSecurityProperties.class, SecurityProperties.class })
public final class ManagementSecurityAutoConfiguration {

	/** The role every non-public actuator endpoint requires. */
	public static final String ADMIN_ROLE = "ADMIN";

	/** The role that may read the prometheus endpoint and nothing else. */
	public static final String SCRAPE_ROLE = "SCRAPE";

	private static final Logger logger = LoggerFactory.getLogger(ManagementSecurityAutoConfiguration.class);

	private static final Pattern ENCODED = Pattern.compile("^\\{.+}.*$");

	@Bean
	@ConditionalOnMissingBean(SecurityFilterChain.class)
	SecurityFilterChain switchboardManagementSecurityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> authorizeEndpoints(requests).anyRequest().denyAll());
		http.httpBasic(Customizer.withDefaults());
		http.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
		http.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	/**
	 * The admin user and the scrape user, when a scrape password is set; otherwise Boot's single user stands.
	 */
	@Bean
	@ConditionalOnProperty(prefix = "switchboard.management", name = "scrape-password")
	@ConditionalOnMissingBean(type = "org.springframework.security.core.userdetails.UserDetailsService")
	InMemoryUserDetailsManager switchboardManagementUsers(SecurityProperties security,
			ManagementSecurityProperties management) {
		SecurityProperties.User admin = security.getUser();
		if (admin.isPasswordGenerated()) {
			logger.warn("Using generated password for actuator user '{}': {}", admin.getName(), admin.getPassword());
		}
		List<UserDetails> users = new ArrayList<>();
		users.add(User.withUsername(admin.getName())
			.password(encoded(admin.getPassword()))
			.roles(admin.getRoles().toArray(String[]::new))
			.build());
		users.add(User.withUsername(management.scrapeUser())
			.password(encoded(management.scrapePassword()))
			.roles(SCRAPE_ROLE)
			.build());
		return new InMemoryUserDetailsManager(users);
	}

	/**
	 * Adds the platform's actuator rules to {@code requests}, for applications that build their own chains.
	 * @param requests the registry of the chain being built
	 * @return the same registry, for the caller's remaining rules
	 */
	public static AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry authorizeEndpoints(
			AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry requests) {
		return requests.requestMatchers(EndpointRequest.to("health", "info"))
			.permitAll()
			.requestMatchers(EndpointRequest.to("prometheus"))
			.hasAnyRole(ADMIN_ROLE, SCRAPE_ROLE)
			.requestMatchers(EndpointRequest.toAnyEndpoint())
			.hasRole(ADMIN_ROLE);
	}

	/** Passwords as Boot takes them: with an encoder prefix as given, else plain. */
	private static String encoded(String password) {
		return ENCODED.matcher(password).matches() ? password : "{noop}" + password;
	}

}
