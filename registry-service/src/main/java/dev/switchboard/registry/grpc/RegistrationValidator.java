package dev.switchboard.registry.grpc;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.google.common.net.HostSpecifier;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;

/**
 * Checks requests before anything is written, and says in one line what is wrong.
 */
final class RegistrationValidator {

	static final int MAX_NAME_LENGTH = 63;

	static final int MAX_INSTANCE_ID_LENGTH = 128;

	static final int MAX_SERVICES = 256;

	static final int MAX_METADATA_ENTRIES = 64;

	static final int MAX_METADATA_BYTES = 8 * 1024;

	static final int MAX_WEIGHT = 10_000;

	private static final Pattern GROUP = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

	private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

	private static final Pattern SERVICE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

	private static final Set<String> INFRASTRUCTURE_SERVICES = Set.of("grpc.health.v1.Health",
			"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

	private RegistrationValidator() {
	}

	static void validate(RegisterRequest request) {
		group(request.getGroup());
		instanceId(request.getInstanceId());
		host(request.getHost());
		if (request.getPort() < 1 || request.getPort() > 65535) {
			throw RefusalException.invalidArgument("port " + request.getPort() + " is out of range 1-65535");
		}
		services(request);
		managementUrl(request.getManagementUrl(), request.getHost());
		if (request.getZone().length() > MAX_NAME_LENGTH) {
			throw RefusalException.invalidArgument("zone is longer than " + MAX_NAME_LENGTH + " characters");
		}
		if (request.getWeight() < 0 || request.getWeight() > MAX_WEIGHT) {
			throw RefusalException.invalidArgument(
					"weight " + request.getWeight() + " is out of range 0-" + MAX_WEIGHT);
		}
		metadata(request.getMetadataMap());
		status(request.getStatus());
	}

	/**
	 * A management URL, when given, is {@code http(s)} on the instance's own host: dashboards send credentials there,
	 * so it must not point anywhere else.
	 */
	static void managementUrl(String url, String host) {
		if (url.isEmpty()) {
			return;
		}
		if (url.length() > 2048) {
			throw RefusalException.invalidArgument("management_url is longer than 2048 characters");
		}
		URI uri;
		try {
			uri = new URI(url);
		}
		catch (URISyntaxException ex) {
			throw RefusalException.invalidArgument("management_url '" + printable(url) + "' is not a URL");
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("http") && !scheme.equals("https")) {
			throw RefusalException.invalidArgument(
					"management_url must be http or https, not '" + printable(scheme) + "'");
		}
		String urlHost = (uri.getHost() != null) ? uri.getHost().replaceAll("^\\[|]$", "") : "";
		if (uri.getRawUserInfo() != null || !urlHost.equalsIgnoreCase(host.replaceAll("^\\[|]$", ""))) {
			throw RefusalException.invalidArgument(
					"management_url must be on the instance's own host '" + printable(host)
					+ "', without user info");
		}
	}

	static void group(String group) {
		if (group.isEmpty()) {
			throw RefusalException.invalidArgument("group is empty");
		}
		if (group.length() > MAX_NAME_LENGTH) {
			throw RefusalException.invalidArgument("group is longer than " + MAX_NAME_LENGTH + " characters");
		}
		if (!GROUP.matcher(group).matches()) {
			throw RefusalException.invalidArgument("group '" + printable(group)
					+ "' must be lower-case letters, digits and '-', starting and ending with a letter or digit");
		}
	}

	static void instanceId(String instanceId) {
		if (instanceId.isEmpty()) {
			throw RefusalException.invalidArgument("instance_id is empty");
		}
		if (instanceId.length() > MAX_INSTANCE_ID_LENGTH) {
			throw RefusalException.invalidArgument(
					"instance_id is longer than " + MAX_INSTANCE_ID_LENGTH + " characters");
		}
		if (!INSTANCE_ID.matcher(instanceId).matches()) {
			throw RefusalException.invalidArgument("instance_id may hold only letters, digits and '.', '_', ':', '-'");
		}
	}

	static void status(InstanceStatus status) {
		if (status == InstanceStatus.UNRECOGNIZED) {
			throw RefusalException.invalidArgument("status is not one of STARTING, UP, DOWN, OUT_OF_SERVICE");
		}
	}

	private static void host(String host) {
		if (host.isEmpty()) {
			throw RefusalException.invalidArgument("host is empty");
		}
		if (host.length() > 253 || !HostSpecifier.isValid(host)) {
			throw RefusalException.invalidArgument("host '" + printable(host) + "' is not an IP address or host name");
		}
	}

	private static void services(RegisterRequest request) {
		if (request.getServicesCount() == 0) {
			throw RefusalException.invalidArgument(
					"services is empty: an instance must serve at least one gRPC service");
		}
		if (request.getServicesCount() > MAX_SERVICES) {
			throw RefusalException.invalidArgument("more than " + MAX_SERVICES + " services");
		}
		Set<String> seen = new HashSet<>();
		for (String service : request.getServicesList()) {
			if (service.length() > 255 || !SERVICE.matcher(service).matches()) {
				throw RefusalException.invalidArgument("service '" + printable(service)
						+ "' is not a full gRPC service name such as 'pkg.v1.Service'");
			}
			if (INFRASTRUCTURE_SERVICES.contains(service)) {
				throw RefusalException.invalidArgument(
						"service '" + service + "' is served by every instance; do not register it");
			}
			if (!seen.add(service)) {
				throw RefusalException.invalidArgument("service '" + service + "' is listed twice");
			}
		}
	}

	private static void metadata(Map<String, String> metadata) {
		if (metadata.size() > MAX_METADATA_ENTRIES) {
			throw RefusalException.invalidArgument("metadata has " + metadata.size() + " entries; at most "
					+ MAX_METADATA_ENTRIES + " are allowed");
		}
		int bytes = 0;
		for (Map.Entry<String, String> entry : metadata.entrySet()) {
			if (entry.getKey().isEmpty()) {
				throw RefusalException.invalidArgument("metadata has an empty key");
			}
			bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length
					+ entry.getValue().getBytes(StandardCharsets.UTF_8).length;
		}
		if (bytes > MAX_METADATA_BYTES) {
			throw RefusalException.invalidArgument("metadata is " + bytes + " bytes; at most " + MAX_METADATA_BYTES
					+ " are allowed");
		}
	}

	/** Keeps a reason on one short line whatever the caller sent. */
	private static String printable(String value) {
		String cut = (value.length() > 64) ? value.substring(0, 64) + "..." : value;
		return cut.replaceAll("[\\p{Cntrl}]", "?");
	}

}
