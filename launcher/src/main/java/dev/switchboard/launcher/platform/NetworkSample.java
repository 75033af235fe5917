package dev.switchboard.launcher.platform;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.launcher.topology.PlatformClient;
import dev.switchboard.launcher.topology.PlatformService;
import dev.switchboard.launcher.topology.PlatformWiring;

/**
 * How the Python network sample runs: {@code python3 server.py} with the client package of the checkout on
 * {@code PYTHONPATH} and every setting, its secret too, in its environment by the relaxed Java names, nothing on its
 * command line.
 */
public final class NetworkSample {

	private NetworkSample() {
	}

	/** Its command line with {@code python}. */
	public static List<String> command(Path python, Checkout checkout) {
		return List.of(python.toString(), checkout.networkServer().toString());
	}

	/** Where Python finds the client package (the checkout's, with no bytecode written into it), unbuffered output. */
	public static Map<String, String> runtime(Checkout checkout) {
		return Map.of("PYTHONPATH", checkout.pythonClient().toString(), "PYTHONDONTWRITEBYTECODE", "1",
				"PYTHONUNBUFFERED", "1");
	}

	/**
	 * The settings of replica {@code instance}, all in its environment (the Java names, relaxed): its client and
	 * secret and the rest of its {@link PlatformWiring}, and the router it calls compute through (plaintext, the
	 * router's front door).
	 * @param router the router's {@code host:port}
	 */
	public static Map<String, String> settings(String instance, String secret, PlatformWiring wiring, String router) {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put(PlatformClient.ID_VARIABLE, PlatformService.NETWORK.group());
		settings.put(PlatformClient.SECRET_VARIABLE, secret);
		settings.put(PlatformClient.TOKEN_URI_VARIABLE, String.join(",", wiring.tokenUris()));
		settings.put(PlatformClient.REGISTRY_ADDRESSES_VARIABLE, String.join(",", wiring.registries()));
		settings.put("SWITCHBOARD_COMPONENT_INSTANCEID", instance);
		settings.put("SWITCHBOARD_COMPONENT_HOST", wiring.host());
		settings.put("SWITCHBOARD_IDENTITY_TRUSTBUNDLE", wiring.trustBundle().toString());
		settings.put("SWITCHBOARD_IDENTITY_CAADDRESSES", String.join(",", wiring.auths()));
		settings.put("SPRING_GRPC_SERVER_ADDRESS", "127.0.0.1");
		settings.put("SPRING_GRPC_SERVER_PORT", "0");
		settings.put("SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS", router);
		settings.put("SWITCHBOARD_GRPC_CLIENTS_ROUTER_TLS_ENABLED", "false");
		return settings;
	}

}
