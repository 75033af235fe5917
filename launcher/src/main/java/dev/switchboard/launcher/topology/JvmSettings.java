package dev.switchboard.launcher.topology;

import java.nio.file.Path;
import java.util.List;

/**
 * The JVM settings a platform process runs with: one argument file under {@code deploy/jvm}, which holds the flags
 * themselves (heap, collector, JIT, stack), and the options every JVM started here needs on this JDK.
 */
public enum JvmSettings {

	/**
	 * Every process but the router and the registry on one machine: small and quick to start
	 * ({@code quick-start.options}).
	 */
	QUICK_START("quick-start"),

	/** The router, as it is benchmarked, here and in its compose image: full JIT ({@code router.options}). */
	ROUTER("router"),

	/** A registry replica, as it is benchmarked, here and in its compose image: full JIT ({@code registry.options}). */
	REGISTRY("registry"),

	/** Every other service in the compose images ({@code container.options}). */
	CONTAINER("container");

	/**
	 * The settings a service with these {@code local} ones runs with in its compose image: its own when it is
	 * benchmarked with them, else the container's.
	 */
	public static JvmSettings inContainer(JvmSettings local) {
		return (local == ROUTER || local == REGISTRY) ? local : CONTAINER;
	}

	private final String file;

	JvmSettings(String file) {
		this.file = file;
	}

	/** The argument file's path relative to the checkout, {@code deploy/jvm/<name>.options}. */
	public String file() {
		return "deploy/jvm/" + this.file + ".options";
	}

	/** The java command-line options of a process with these settings: the argument file of {@code checkout}. */
	public List<String> options(Path checkout) {
		return List.of("@" + checkout.resolve(file()));
	}

	/**
	 * The options the tools run here (the reflection client, the bench) need on this JDK for Netty's and protobuf's
	 * use of {@code sun.misc.Unsafe} without a warning: JDK 24 and later warn unless allowed, while JDK 21 and 22 have
	 * no such option and refuse to start with it.
	 */
	public static List<String> toolOptions() {
		return (Runtime.version().feature() >= 24) ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();
	}

}
