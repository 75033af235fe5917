package dev.switchboard.contracts;

/**
 * The platform's fixed ports on one machine, the one place they are written: the launcher starts replica {@code n} of
 * a service on its port + 10 (n - 1), and the services' own defaults (the registry's gRPC port, the address a
 * component looks for the registry at) read these constants, so a port changes here and nowhere else.
 */
public final class DefaultPorts {

	/** The router's gRPC front door. */
	public static final int ROUTER_GRPC = 9100;

	/** The router's actuator. */
	public static final int ROUTER_HTTP = 8100;

	/** The registry's gRPC port. */
	public static final int REGISTRY_GRPC = 9101;

	/** The registry's actuator. */
	public static final int REGISTRY_HTTP = 8101;

	/** Where registry replicas meet (Hazelcast's member protocol); replica {@code n} on this + n - 1. */
	public static final int REGISTRY_CLUSTER = 5701;

	/** Auth's gRPC port (Authorize, the CA). */
	public static final int AUTH_GRPC = 9102;

	/** Auth's actuator and OAuth2 endpoints. */
	public static final int AUTH_HTTP = 8102;

	/** The dashboard. */
	public static final int DASHBOARD_HTTP = 8103;

	/** Compute replica {@code n}'s actuator on this + n. */
	public static final int COMPUTE_HTTP = 8200;

	/** Volume replica {@code n}'s actuator on this + n. */
	public static final int VOLUME_HTTP = 8300;

	/** The address a component looks for the registry at when none is configured. */
	public static final String REGISTRY_ADDRESS = "127.0.0.1:" + REGISTRY_GRPC;

	/** The address a process asks auth (for decisions, for certificates) at when none is configured. */
	public static final String AUTH_ADDRESS = "127.0.0.1:" + AUTH_GRPC;

	/** The token endpoint a process gets its tokens from when none is configured. */
	public static final String TOKEN_URI = "http://127.0.0.1:" + AUTH_HTTP + "/oauth2/token";

	private DefaultPorts() {
	}

}
