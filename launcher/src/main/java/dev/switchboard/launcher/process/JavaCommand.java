package dev.switchboard.launcher.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.LauncherException;
import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.launcher.topology.PlatformService;

/**
 * The command line of a platform process on the JVM this launcher runs on: the service's JVM settings, any further
 * JVM options, its runnable jar and its Spring Boot arguments. Secrets never go here; they go in the environment.
 */
public final class JavaCommand {

	private JavaCommand() {
	}

	/**
	 * The environment every platform JVM gets its actuator users' passwords in: the admin's
	 * ({@code SPRING_SECURITY_USER_PASSWORD}) and the read-only user's the dashboard reads with.
	 */
	public static Map<String, String> passwords(String admin, String reader) {
		return Map.of("SPRING_SECURITY_USER_PASSWORD", admin, "SWITCHBOARD_MANAGEMENT_READERPASSWORD", reader);
	}

	/** The java executable of the JVM running this code, which every process started here runs on. */
	public static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/**
	 * {@code java @deploy/jvm/<settings>.options <jvmOptions> -jar <jar> <arguments>} for {@code service} of
	 * {@code checkout}; fails when the jar has not been built.
	 */
	public static List<String> of(Checkout checkout, PlatformService service, List<String> jvmOptions,
			List<String> arguments) {
		return of(checkout, service, checkout.jvmOptions(service), jvmOptions, arguments);
	}

	/** As {@link #of(Checkout, PlatformService, List, List)} with other JVM settings than the service's own. */
	public static List<String> of(Checkout checkout, PlatformService service, List<String> settings,
			List<String> jvmOptions, List<String> arguments) {
		Path jar = checkout.jar(service);
		if (!Files.isRegularFile(jar)) {
			throw new LauncherException(jar + " is missing: build with 'mvn package' first");
		}
		List<String> command = new ArrayList<>();
		command.add(java());
		command.addAll(settings);
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar.toString());
		command.addAll(arguments);
		return command;
	}

}
