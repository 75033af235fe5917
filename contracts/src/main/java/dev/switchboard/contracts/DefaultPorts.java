package dev.switchboard.contracts;

import dev.switchboard.platform.v1.DefaultPort;

/**
 * The platform's fixed ports on one machine, as Java constants: they are written once, in the wire contracts
 * ({@code switchboard/platform/v1/defaults.proto}, which the Python client reads too). The launcher starts replica
 * {@code n} of a service on its port + 10 (n - 1), and the services' own defaults (the registry's gRPC port, the
 * address a component looks for the registry at) read these constants. Each is a compile-time constant, so using one
 * loads no protobuf class.
 */
public final class DefaultPorts {

	/** The router's gRPC front door. */
	public static final int ROUTER_GRPC = DefaultPort.DEFAULT_PORT_ROUTER_GRPC_VALUE;

	/** The router's actuator. */
	public static final int ROUTER_HTTP = DefaultPort.DEFAULT_PORT_ROUTER_HTTP_VALUE;

	/** The registry's gRPC port. */
	public static final int REGISTRY_GRPC = DefaultPort.DEFAULT_PORT_REGISTRY_GRPC_VALUE;

	/** The registry's actuator. */
	public static final int REGISTRY_HTTP = DefaultPort.DEFAULT_PORT_REGISTRY_HTTP_VALUE;

	/** Where registry replicas meet (Hazelcast's member protocol); replica {@code n} on this + n - 1. */
	public static final int REGISTRY_CLUSTER = DefaultPort.DEFAULT_PORT_REGISTRY_CLUSTER_VALUE;

	/** Auth's gRPC port (Authorize, the CA). */
	public static final int AUTH_GRPC = DefaultPort.DEFAULT_PORT_AUTH_GRPC_VALUE;

	/** Auth's actuator and OAuth2 endpoints. */
	public static final int AUTH_HTTP = DefaultPort.DEFAULT_PORT_AUTH_HTTP_VALUE;

	/** The dashboard. */
	public static final int DASHBOARD_HTTP = DefaultPort.DEFAULT_PORT_DASHBOARD_HTTP_VALUE;

	/** Compute replica {@code n}'s actuator on this + n. */
	public static final int COMPUTE_HTTP = DefaultPort.DEFAULT_PORT_COMPUTE_HTTP_VALUE;

	/** Volume replica {@code n}'s actuator on this + n. */
	public static final int VOLUME_HTTP = DefaultPort.DEFAULT_PORT_VOLUME_HTTP_VALUE;

	/** The address a component looks for the registry at when none is configured. */
	public static final String REGISTRY_ADDRESS = "127.0.0.1:" + REGISTRY_GRPC;

	/** The address a process asks auth (for decisions, for certificates) at when none is configured. */
	public static final String AUTH_ADDRESS = "127.0.0.1:" + AUTH_GRPC;

	/** The token endpoint a process gets its tokens from when none is configured. */
	public static final String TOKEN_URI = "http://127.0.0.1:" + AUTH_HTTP + "/oauth2/token";

	private DefaultPorts() {
	}

}
