package dev.switchboard.launcher.platform;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.switchboard.launcher.LauncherException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the registry's actuator ({@code /actuator/registry}, as the admin) says about the platform: every group's
 * instances, as the {@code status} table prints them. Thread-safe.
 */
public final class RegistryView {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private final int httpPort;

	private final String adminPassword;

	public RegistryView(int httpPort, String adminPassword) {
		this.httpPort = httpPort;
		this.adminPassword = adminPassword;
	}

	/** The registry's answer, or empty when it does not answer. */
	public Optional<JsonNode> read() {
		String basic = Base64.getEncoder()
			.encodeToString(("admin:" + this.adminPassword).getBytes(StandardCharsets.UTF_8));
		try {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/actuator/registry"))
						.header("Authorization", "Basic " + basic)
						.timeout(Duration.ofSeconds(5))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			return (response.statusCode() == 200) ? Optional.of(json.readTree(response.body())) : Optional.empty();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new LauncherException("interrupted", ex);
		}
	}

	/** Whether the registry lists an instance of this id. */
	public boolean lists(String instanceId) {
		return read().map((registry) -> registry.path("groups")
			.valueStream()
			.flatMap(JsonNode::valueStream)
			.anyMatch((instance) -> instanceId.equals(instance.path("instanceId").asString()))).orElse(false);
	}

	/** The platform table, or one line saying the registry does not answer. */
	public String table() {
		return read().map(RegistryView::table)
			.orElse("registry not reachable on 127.0.0.1:" + this.httpPort + System.lineSeparator());
	}

	/** One line per instance, by group: id, address, status, lease age, calls per second, services. */
	static String table(JsonNode registry) {
		StringBuilder out = new StringBuilder(row("GROUP", "INSTANCE", "gRPC ADDRESS", "STATUS", "LEASE AGE",
				"CALLS/S", "SERVICES"));
		Map<String, JsonNode> groups = new TreeMap<>(registry.path("groups").properties().stream()
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
		for (Map.Entry<String, JsonNode> group : groups.entrySet()) {
			for (JsonNode instance : group.getValue()) {
				JsonNode age = instance.path("leaseAgeMillis");
				List<String> services = new ArrayList<>();
				instance.path("services").forEach((service) -> services.add(service.asString()));
				out.append(row(group.getKey(), instance.path("instanceId").asString(),
						instance.path("host").asString() + ":" + instance.path("port").asInt(),
						instance.path("status").asString(),
						(age.isNull() || age.isMissingNode()) ? "-" : age.asLong() + " ms",
						String.format(Locale.ROOT, "%.1f", instance.path("callsPerSecond").asDouble(0)),
						String.join(", ", services)));
			}
		}
		return out.toString();
	}

	private static String row(String group, String instance, String address, String status, String age, String rate,
			String services) {
		return String.format(Locale.ROOT, "%-10s %-34s %-22s %-15s %9s %8s  %s%n", group, instance, address, status,
				age, rate, services);
	}

}
