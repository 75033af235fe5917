package dev.switchboard.launcher.topology;

/**
 * The settings every platform process reaches the platform with ({@code switchboard.client.*} of the Switchboard
 * auto-configuration, the same names for the Python client): the id of its group's client as an argument, the secret
 * only in the environment.
 */
public final class PlatformClient {

	/** The environment variable that holds a process's client secret (never a command-line argument). */
	public static final String SECRET_VARIABLE = "SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET";

	/** The environment variable that holds a process's client id. */
	public static final String ID_VARIABLE = "SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID";

	/** The environment variable that lists the token endpoints. */
	public static final String TOKEN_URI_VARIABLE = "SWITCHBOARD_CLIENT_CREDENTIALS_TOKENURI";

	/** The environment variable that lists the registry replicas. */
	public static final String REGISTRY_ADDRESSES_VARIABLE = "SWITCHBOARD_CLIENT_REGISTRY_ADDRESSES";

	private PlatformClient() {
	}

	/** The argument that sets the client id, {@code --switchboard.client.credentials.client-id=<group>}. */
	public static String idArgument(String group) {
		return "--switchboard.client.credentials.client-id=" + group;
	}

	/** The argument that lists the token endpoints, comma-separated. */
	public static String tokenUriArgument(String tokenUris) {
		return "--switchboard.client.credentials.token-uri=" + tokenUris;
	}

	/** The argument that lists the registry replicas ({@code host:port}, comma-separated). */
	public static String registryArgument(String addresses) {
		return "--switchboard.client.registry.addresses=" + addresses;
	}

}
