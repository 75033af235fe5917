package dev.switchboard.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
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
import org.springframework.context.annotation.Conditional;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Locks the actuator down the platform's way: {@code health} and {@code info} are open, {@code prometheus} needs the
 * {@code ADMIN} or {@code SCRAPE} role, every other endpoint the {@code ADMIN} role, over HTTP basic. The admin user is
 * Boot's own ({@code spring.security.user.*}), named {@code admin} with role {@code ADMIN} by default; set its password
 * with {@code SPRING_SECURITY_USER_PASSWORD} (plain or {@code {bcrypt}...}), or Boot generates one and logs it at
 * start-up. A scrape user exists when {@code switchboard.management.scrape-password} is set, a read-only user (role
 * {@code READER}: GET of metrics, prometheus, loggers, logfile and the platform's views) when
 * {@code switchboard.management.reader-password} is.
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

	/** The role that may read, never change: what a dashboard needs of a replica. */
	public static final String READER_ROLE = "READER";

	/** What a reader may GET, besides the open health and info. */
	private static final String[] READABLE = { "metrics", "loggers", "logfile", "grpcclients", "routes", "registry" };

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
	 * The admin user, and the scrape and read-only users whose passwords are set; when neither is, Boot's single user
	 * stands.
	 */
	@Bean
	@Conditional(ExtraUsersCondition.class)
	@ConditionalOnMissingBean(type = "org.springframework.security.core.userdetails.UserDetailsService")
	UserDetailsService switchboardManagementUsers(SecurityProperties security,
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
		if (management.scrapeUserConfigured()) {
			users.add(User.withUsername(management.scrapeUser())
				.password(encoded(management.scrapePassword()))
				.roles(SCRAPE_ROLE)
				.build());
		}
		if (management.readerConfigured()) {
			users.add(User.withUsername(management.readerUser())
				.password(encoded(management.readerPassword()))
				.roles(READER_ROLE)
				.build());
		}
		InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager(users);
		// only the lookup: a manager is also a UserDetailsPasswordService, and Spring Security then "upgrades" a plain
		// password to a BCrypt hash at its first use, after which every request (a dashboard polls several a second)
		// pays a BCrypt check: 4.6% of a busy router's CPU samples, measured
		return manager::loadUserByUsername;
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
			.hasAnyRole(ADMIN_ROLE, SCRAPE_ROLE, READER_ROLE)
			.requestMatchers(readOnly(READABLE))
			.hasAnyRole(ADMIN_ROLE, READER_ROLE)
			.requestMatchers(EndpointRequest.toAnyEndpoint())
			.hasRole(ADMIN_ROLE);
	}

	private static RequestMatcher readOnly(String... endpoints) {
		RequestMatcher endpoint = EndpointRequest.to(endpoints);
		return (request) -> "GET".equals(request.getMethod()) && endpoint.matches(request);
	}

	/** Extra users exist when a scrape or a reader password is set. */
	static final class ExtraUsersCondition extends AnyNestedCondition {

		ExtraUsersCondition() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnProperty(prefix = "switchboard.management", name = "scrape-password")
		static final class Scrape {

		}

		@ConditionalOnProperty(prefix = "switchboard.management", name = "reader-password")
		static final class Reader {

		}

	}

	/** Passwords as Boot takes them: with an encoder prefix as given, else plain. */
	private static String encoded(String password) {
		return ENCODED.matcher(password).matches() ? password : "{noop}" + password;
	}

}
