package dev.switchboard.launcher.topology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who talks to whom: the arguments that wire a process of each {@link PlatformService} into one platform, written
 * once for {@code ./switchboard up}, the benchmarks and the end-to-end tests. Every process gets its group's client
 * ({@link PlatformClient}: the id here, the secret in its {@linkplain #environment environment}), the token endpoints
 * and the platform CA's trust bundle and addresses; every process but a registry replica gets the registry replicas
 * and the address it registers with; the registry and the router ask the auth replicas for decisions. Ports, instance
 * ids and a service's own settings are the caller's.
 *
 * @param host the address processes register with and callers reach them at
 * @param registries the registry replicas' gRPC addresses, {@code host:port}
 * @param auths the auth replicas' gRPC addresses (their CA and their {@code Authorize})
 * @param tokenUris the auth replicas' token endpoints
 * @param trustBundle the platform CA's trust bundle, which auth writes
 */
public record PlatformWiring(String host, List<String> registries, List<String> auths, List<String> tokenUris,
		Path trustBundle) {

	public PlatformWiring {
		Objects.requireNonNull(host, "host");
		registries = List.copyOf(registries);
		auths = List.copyOf(auths);
		tokenUris = List.copyOf(tokenUris);
		Objects.requireNonNull(trustBundle, "trustBundle");
	}

	/** The Spring Boot arguments that wire a process of {@code service} into the platform. */
	public List<String> arguments(PlatformService service) {
		List<String> arguments = new ArrayList<>(List.of("--switchboard.identity.trust-bundle=" + this.trustBundle,
				"--switchboard.identity.ca-addresses=" + String.join(",", this.auths),
				PlatformClient.idArgument(service.group()),
				PlatformClient.tokenUriArgument(String.join(",", this.tokenUris))));
		if (service == PlatformService.REGISTRY) {
			arguments.add("--switchboard.registry.auth.fallback-address=" + String.join(",", this.auths));
			return arguments;
		}
		arguments.add("--switchboard.component.host=" + this.host);
		arguments.add(PlatformClient.registryArgument(String.join(",", this.registries)));
		if (service == PlatformService.ROUTER) {
			arguments.add("--switchboard.router.auth.fallback-address=" + String.join(",", this.auths));
		}
		return arguments;
	}

	/** The environment of a process of {@code service}: its group's client secret, never an argument. */
	public static Map<String, String> environment(PlatformService service, Map<String, String> clientSecrets) {
		return Map.of(PlatformClient.SECRET_VARIABLE, clientSecrets.getOrDefault(service.group(), ""));
	}

	/**
	 * The argument that names replica {@code instance}: the id it registers with, or, for the processes that do not
	 * register (a registry replica, the dashboard), the instance its certificate names.
	 */
	public static String instanceArgument(PlatformService service, String instance) {
		boolean registers = service != PlatformService.REGISTRY && service != PlatformService.DASHBOARD;
		return (registers ? "--switchboard.component.instance-id=" : "--switchboard.identity.instance-id=") + instance;
	}

}
