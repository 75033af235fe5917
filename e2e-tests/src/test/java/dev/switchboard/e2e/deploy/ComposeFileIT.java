package dev.switchboard.e2e.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.contracts.DefaultPorts;
import dev.switchboard.launcher.topology.JvmSettings;
import dev.switchboard.launcher.topology.PlatformService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docker-compose stack, checked here without Docker: every Switchboard service is built from a module that exists
 * and sets only properties its jar reads (the Python sample: only variables the Python client and the sample read,
 * from files that exist); ports, health checks, volumes, secrets and dependencies are consistent; no secret is
 * written in the file; Prometheus' configuration passes {@code promtool} and scrapes exactly the services of the stack
 * that have an actuator; the Grafana dashboard's queries parse and ask for jobs that exist. The services, their jars,
 * JVM settings and ports are the launcher's topology ({@link PlatformService}), which {@code ./switchboard up} runs.
 */
class ComposeFileIT {

	/** Binaries the third-party images of the stack ship, for their health checks. */
	private static final Map<String, Set<String>> IMAGE_TOOLS = Map.of("postgres", Set.of("pg_isready", "psql"),
			"prom/prometheus", Set.of("wget", "promtool"), "grafana/grafana", Set.of("wget", "curl"));

	private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::?[-?][^}]*)?}");

	private static final Pattern CHECKED_ENV = Pattern.compile("(SWITCHBOARD|SPRING|SERVER|MANAGEMENT|LOGGING)_.*");

	/** The Dockerfile of every Spring Boot service; the services built from another one are Python components. */
	private static final String SPRING_DOCKERFILE = "deploy/Dockerfile";

	/** An environment variable named in Python source: the client's settings table, the sample's own reads. */
	private static final Pattern PYTHON_VARIABLE = Pattern.compile("\"((?:SWITCHBOARD|SPRING)_[A-Z0-9_]+)\"");

	private static Path root;

	private static Map<String, Object> compose;

	private static Map<String, Map<String, Object>> services;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void load() throws IOException {
		root = Path.of(System.getProperty("switchboard.root", "..")).toAbsolutePath().normalize();
		try (Reader reader = Files.newBufferedReader(root.resolve("docker-compose.yml"))) {
			// the compose file shares its settings through anchors, more than SnakeYAML's default of 50 aliases
			LoaderOptions options = new LoaderOptions();
			options.setMaxAliasesForCollections(500);
			compose = new Yaml(options).load(reader);
		}
		services = (Map<String, Map<String, Object>>) compose.get("services");
	}

	@Test
	void theStackHasEveryServiceTheIssueAsksFor() {
		assertThat(services.keySet()).containsExactlyInAnyOrder("postgres", "registry-1", "registry-2", "auth-1",
				"auth-2", "router-1", "router-2", "compute-1", "compute-2", "compute-3", "volume-1", "volume-2",
				"network-1", "network-2", "dashboard", "prometheus", "grafana");
		assertThat(pythonServices().keySet()).containsExactlyInAnyOrder("network-1", "network-2");
		services.forEach((name, service) -> {
			assertThat(service).as(name + " restart policy").containsKey("restart");
			assertThat(service).as(name + " health check").containsKey("healthcheck");
		});
	}

	@Test
	void everyServiceOfTheLaunchersTopologyRunsFromItsJarWithItsJvmSettingsAndPorts() {
		Checkout checkout = Checkout.at(root);
		for (PlatformService service : PlatformService.values()) {
			Map<String, Map<String, Object>> replicas = new LinkedHashMap<>();
			services.forEach((name, definition) -> {
				if (name.equals(service.group()) || name.matches(Pattern.quote(service.group()) + "-\\d+")) {
					replicas.put(name, definition);
				}
			});
			assertThat(replicas).as(service + " replicas").isNotEmpty();
			replicas.forEach((name, definition) -> {
				Set<String> exposed = new HashSet<>(strings(definition.get("expose")));
				if (service.isJava()) {
					Map<String, Object> args = map(map(definition.get("build")).get("args"));
					// the jar of the build's version, where the launcher runs it from
					assertThat(jarOf(definition)).as(name + " jar")
						.isEqualTo(root.relativize(checkout.jar(service)).toString());
					// the router's and the registry's own JVM settings, every other service the image's (the Dockerfile's
					// default)
					assertThat(args.getOrDefault("JVM_OPTIONS", JvmSettings.CONTAINER.file())).as(name + " JVM options")
						.isEqualTo(JvmSettings.inContainer(service.jvm()).file());
				}
				if (service.hasFixedGrpcPort()) {
					// inside its container every replica serves on the first replica's ports
					assertThat(exposed).as(name + " ports")
						.contains(String.valueOf(service.grpcPort(1)), String.valueOf(service.httpPort(1)));
				}
			});
		}
		assertThat(strings(services.get("registry-1").get("expose")))
			.contains(String.valueOf(DefaultPorts.REGISTRY_CLUSTER));
		assertThat(strings(services.get("dashboard").get("ports")))
			.containsExactly(PlatformService.DASHBOARD.httpPort(1) + ":" + PlatformService.DASHBOARD.httpPort(1));
		// published on the host where ./switchboard up --ha puts them
		assertThat(strings(services.get("router-2").get("ports")))
			.containsExactly(PlatformService.ROUTER.grpcPort(2) + ":" + PlatformService.ROUTER.grpcPort(1));
		assertThat(environment(services.get("compute-1")).get("SWITCHBOARD_CLIENT_REGISTRY_ADDRESSES"))
			.isEqualTo("registry-1:" + DefaultPorts.REGISTRY_GRPC + ",registry-2:" + DefaultPorts.REGISTRY_GRPC);
	}

	@Test
	void everyBuiltServiceComesFromAModuleThatExists() throws IOException {
		for (Map.Entry<String, Map<String, Object>> entry : springServices().entrySet()) {
			Map<String, Object> build = map(entry.getValue().get("build"));
			Path context = root.resolve(String.valueOf(build.get("context")));
			assertThat(context).as(entry.getKey() + " build context").isDirectory();
			assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).as(entry.getKey() + " Dockerfile")
				.isRegularFile();
			String jar = jarOf(entry.getValue());
			Path module = context.resolve(jar.substring(0, jar.indexOf("/target/")));
			String pom = Files.readString(module.resolve("pom.xml"));
			String artifact = jar.substring(jar.lastIndexOf('/') + 1).replace("-" + Checkout.version() + "-exec.jar", "");
			assertThat(pom).as(entry.getKey() + " builds " + jar).contains("<artifactId>" + artifact + "</artifactId>");
		}
	}

	@Test
	void everyPythonServiceIsBuiltFromFilesThatExistOnDebiansGrpcioAsANonRootUser() throws IOException {
		for (Map.Entry<String, Map<String, Object>> entry : pythonServices().entrySet()) {
			Map<String, Object> build = map(entry.getValue().get("build"));
			Path context = root.resolve(String.valueOf(build.get("context")));
			Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
			assertThat(dockerfile).as(entry.getKey() + " Dockerfile").isRegularFile();
			List<String> lines = Files.readAllLines(dockerfile);
			for (String line : lines) {
				Matcher copy = Pattern.compile("COPY (\\S+) (\\S+)").matcher(line);
				if (copy.matches()) {
					assertThat(context.resolve(copy.group(1))).as(entry.getKey() + " copies " + copy.group(1)).exists();
				}
			}
			// Debian's python3 and the apt packages built for it; a python:3 image's interpreter could not import them
			assertThat(lines).anyMatch((line) -> line.matches("FROM debian:\\S+"));
			assertThat(dockerfileTools(dockerfile)).contains("python3", "python3-grpcio", "python3-protobuf", "openssl");
			assertThat(lines).anyMatch((line) -> line.matches("USER (?!root|0\\b)\\S+"));
			Matcher entrypoint = Pattern.compile("ENTRYPOINT \\[\"python3\", \"/app/(\\S+)\"]")
				.matcher(String.join("\n", lines));
			assertThat(entrypoint.find()).as(entry.getKey() + " runs a script with python3 as PID 1").isTrue();
			assertThat(lines).anyMatch((line) -> line.matches("COPY \\S+/ /app/") && context
				.resolve(line.split(" ")[1])
				.resolve(entrypoint.group(1))
				.toFile()
				.isFile());
		}
	}

	@Test
	void everyVariableOfAPythonServiceIsOneThePythonClientOrTheSampleReads() throws IOException {
		Set<String> read = new TreeSet<>();
		for (String source : List.of("clients/python/switchboard/config.py",
				"sample-components/network/src/main/python/server.py")) {
			Matcher variable = PYTHON_VARIABLE.matcher(Files.readString(root.resolve(source)));
			while (variable.find()) {
				read.add(variable.group(1));
			}
		}
		assertThat(read).contains("SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET",
				"SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS");
		for (Map.Entry<String, Map<String, Object>> entry : pythonServices().entrySet()) {
			Map<String, String> environment = environment(entry.getValue());
			assertThat(environment.keySet()).as(entry.getKey() + " variables").allMatch((variable) -> read
				.contains(variable) || variable.startsWith("SWITCHBOARD_COMPONENT_METADATA_"));
			// what only Spring Boot processes need (actuator users, log file) is not handed to a Python process
			assertThat(environment.keySet()).as(entry.getKey() + " variables")
				.noneMatch((variable) -> variable.contains("PASSWORD"))
				.contains("SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET", "SWITCHBOARD_IDENTITY_TRUSTBUNDLE");
		}
	}

	@Test
	void everySwitchboardAndSpringVariableIsAPropertyTheServiceReads() throws IOException {
		Map<String, Set<String>> unknown = new LinkedHashMap<>();
		for (Map.Entry<String, Map<String, Object>> entry : springServices().entrySet()) {
			Path jar = root.resolve(jarOf(entry.getValue()));
			assertThat(jar).as("built jar of " + entry.getKey() + " (run mvn package first)").isRegularFile();
			ConfigurationMetadata metadata = ConfigurationMetadata.of(jar);
			for (String variable : environment(entry.getValue()).keySet()) {
				if (CHECKED_ENV.matcher(variable).matches() && !metadata.binds(variable)) {
					unknown.computeIfAbsent(entry.getKey(), (k) -> new TreeSet<>()).add(variable);
				}
			}
		}
		assertThat(unknown).as("variables no property of the service's jar binds").isEmpty();
	}

	@Test
	void noSecretIsWrittenInTheFileAndEveryVariableIsDocumented() throws IOException {
		String raw = Files.readString(root.resolve("docker-compose.yml"));
		Set<String> used = new TreeSet<>();
		Matcher matcher = VARIABLE.matcher(raw);
		while (matcher.find()) {
			used.add(matcher.group(1));
		}
		Set<String> documented = new TreeSet<>();
		for (String line : Files.readAllLines(root.resolve(".env.example"))) {
			if (!line.isBlank() && !line.startsWith("#")) {
				documented.add(line.substring(0, line.indexOf('=')));
				assertThat(line).as("no value in .env.example").endsWith("=");
			}
		}
		assertThat(documented).isEqualTo(used);
		services.forEach((name, service) -> environment(service).forEach((key, value) -> {
			if (key.matches(".*(PASSWORD|SECRET|_TOKEN)")) {
				assertThat(value).as(name + " " + key + " comes from .env").startsWith("${");
			}
		}));
	}

	@Test
	void publishedPortsDoNotClashAndEveryPortUsedIsExposed() {
		Map<String, String> hostPorts = new HashMap<>();
		services.forEach((name, service) -> {
			Set<String> exposed = new HashSet<>(strings(service.get("expose")));
			for (String mapping : strings(service.get("ports"))) {
				String[] parts = mapping.split(":");
				String previous = hostPorts.put(parts[0], name);
				assertThat(previous).as("host port " + parts[0] + " of " + name).isNull();
				if (!exposed.isEmpty()) {
					assertThat(exposed).as(name + " publishes a port it serves on").contains(parts[1]);
				}
			}
			Map<String, String> environment = environment(service);
			for (String key : List.of("SERVER_PORT", "SPRING_GRPC_SERVER_PORT")) {
				if (environment.containsKey(key)) {
					assertThat(exposed).as(name + " " + key).contains(environment.get(key));
				}
			}
			String health = String.join(" ", strings(map(service.get("healthcheck")).get("test")));
			Matcher port = Pattern.compile("localhost:(\\d+)").matcher(health);
			if (port.find() && !exposed.isEmpty()) {
				assertThat(exposed).as(name + " health check port").contains(port.group(1));
			}
		});
	}

	@Test
	void healthCheckCommandsExistInTheirImages() throws IOException {
		for (Map.Entry<String, Map<String, Object>> entry : services.entrySet()) {
			String name = entry.getKey();
			Map<String, Object> service = entry.getValue();
			List<String> test = strings(map(service.get("healthcheck")).get("test"));
			assertThat(test.get(0)).as(name + " health check form").isEqualTo("CMD");
			String binary = test.get(1);
			if (service.containsKey("build")) {
				Path dockerfile = dockerfileOf(service);
				assertThat(dockerfileTools(dockerfile)).as(name + " health check binary installed by " + dockerfile)
					.contains(binary);
			}
			else {
				String image = String.valueOf(service.get("image"));
				Set<String> tools = IMAGE_TOOLS.get(image.substring(0, image.lastIndexOf(':')));
				assertThat(tools).as(name + " image " + image + " is one whose tools are known").isNotNull();
				assertThat(tools).as(name + " health check binary in " + image).contains(binary);
			}
		}
	}

	@Test
	void dependenciesVolumesAndSecretsAreDeclared() {
		Set<String> volumes = map(compose.get("volumes")).keySet();
		Set<String> secrets = map(compose.get("secrets")).keySet();
		services.forEach((name, service) -> {
			map(service.get("depends_on")).forEach((dependency, condition) -> {
				assertThat(services).as(name + " depends on " + dependency).containsKey(dependency);
				if ("service_healthy".equals(map(condition).get("condition"))) {
					assertThat(services.get(dependency)).as(dependency + " has a health check").containsKey("healthcheck");
				}
			});
			for (String volume : strings(service.get("volumes"))) {
				String source = volume.substring(0, volume.indexOf(':'));
				if (source.startsWith(".")) {
					assertThat(root.resolve(source)).as(name + " mounts " + source).exists();
				}
				else {
					assertThat(volumes).as(name + " named volume " + source).contains(source);
				}
			}
			assertThat(secrets).as(name + " secrets").containsAll(strings(service.get("secrets")));
		});
	}

	@Test
	void theImageRunsAsANonRootUserFromSpringBootLayers() throws IOException {
		List<String> lines = Files.readAllLines(root.resolve("deploy/Dockerfile"));
		List<String> lastStage = lines.subList(lastFrom(lines), lines.size());
		assertThat(lastStage).anyMatch((line) -> line.matches("USER (?!root|0\\b)\\S+"));
		assertThat(lastStage).filteredOn((line) -> line.startsWith("COPY --from=layers")).hasSize(4);
		assertThat(lines).anyMatch((line) -> line.contains("-Djarmode=tools") && line.contains("--layers"));
		assertThat(String.join("\n", lastStage)).contains("MaxRAMPercentage");
	}

	@Test
	void prometheusConfigurationIsValidAndScrapesEveryServiceOfTheStackThatHasAnActuator() throws Exception {
		Path config = root.resolve("deploy/prometheus/prometheus.yml");
		Tools.run(List.of("promtool", "check", "config", config.toString()));
		Map<String, Object> prometheus;
		try (Reader reader = Files.newBufferedReader(config)) {
			prometheus = new Yaml().load(reader);
		}
		Set<String> scraped = new TreeSet<>();
		for (Object job : (List<?>) prometheus.get("scrape_configs")) {
			Map<String, Object> scrape = map(job);
			for (Object staticConfig : (List<?>) scrape.get("static_configs")) {
				for (String target : strings(map(staticConfig).get("targets"))) {
					String host = target.substring(0, target.indexOf(':'));
					String port = target.substring(target.indexOf(':') + 1);
					if (host.equals("localhost")) {
						continue;
					}
					assertThat(services).as("scrape target " + target).containsKey(host);
					assertThat(strings(services.get(host).get("expose"))).as("scrape port of " + target).contains(port);
					assertThat(scrape.get("metrics_path")).isEqualTo("/actuator/prometheus");
					assertThat(map(scrape.get("basic_auth")).get("username")).isEqualTo("prometheus");
					scraped.add(host);
				}
			}
		}
		// the Python components have no actuator: nothing to scrape
		assertThat(scraped).containsExactlyInAnyOrderElementsOf(springServices().keySet());
	}

	@Test
	void grafanaDashboardQueriesParseAndAskForJobsPrometheusScrapes() throws Exception {
		String dashboard = Files.readString(root.resolve("deploy/grafana/dashboards/switchboard.json"));
		List<String> expressions = JsonPath.read(dashboard, "$.panels[*].targets[*].expr");
		assertThat(expressions).hasSizeGreaterThan(10);
		StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
		for (int i = 0; i < expressions.size(); i++) {
			String expression = expressions.get(i).replace("$__rate_interval", "1m");
			rules.append("      - record: dashboard:query_").append(i).append('\n');
			rules.append("        expr: '").append(expression.replace("'", "''")).append("'\n");
			Matcher job = Pattern.compile("job=\"([a-z-]+)\"").matcher(expression);
			while (job.find()) {
				assertThat(Files.readString(root.resolve("deploy/prometheus/prometheus.yml")))
					.contains("job_name: " + job.group(1));
			}
		}
		Path file = Files.createTempFile("dashboard-rules", ".yml");
		try {
			Files.writeString(file, rules);
			Tools.run(List.of("promtool", "check", "rules", file.toString()));
		}
		finally {
			Files.delete(file);
		}
	}

	/** The services built from {@value #SPRING_DOCKERFILE}: Spring Boot jars with an actuator. */
	private static Map<String, Map<String, Object>> springServices() {
		return builtServices(true);
	}

	/** The services built from a Dockerfile of their own: the Python sample. */
	private static Map<String, Map<String, Object>> pythonServices() {
		return builtServices(false);
	}

	private static Map<String, Map<String, Object>> builtServices(boolean spring) {
		Map<String, Map<String, Object>> built = new LinkedHashMap<>();
		services.forEach((name, service) -> {
			if (service.containsKey("build")
					&& SPRING_DOCKERFILE.equals(String.valueOf(map(service.get("build")).get("dockerfile"))) == spring) {
				built.put(name, service);
			}
		});
		return built;
	}

	private static Path dockerfileOf(Map<String, Object> service) {
		Map<String, Object> build = map(service.get("build"));
		return root.resolve(String.valueOf(build.get("context"))).resolve(String.valueOf(build.get("dockerfile")));
	}

	private static String jarOf(Map<String, Object> service) {
		return String.valueOf(map(map(service.get("build")).get("args")).get("JAR"));
	}

	private static Map<String, String> environment(Map<String, Object> service) {
		Map<String, String> environment = new LinkedHashMap<>();
		map(service.get("environment")).forEach((key, value) -> environment.put(key, String.valueOf(value)));
		return environment;
	}

	/**
	 * The packages the runtime stage of a Dockerfile installs with apt-get (which name their binaries: curl, python3),
	 * plus the JRE's java in {@value #SPRING_DOCKERFILE}.
	 */
	private static Set<String> dockerfileTools(Path dockerfile) throws IOException {
		List<String> lines = Files.readAllLines(dockerfile);
		String lastStage = String.join(" ", lines.subList(lastFrom(lines), lines.size()));
		Set<String> tools = new TreeSet<>();
		if (dockerfile.equals(root.resolve(SPRING_DOCKERFILE))) {
			tools.add("java");
		}
		Matcher install = Pattern.compile("apt-get install ([^&]+)").matcher(lastStage);
		while (install.find()) {
			for (String word : install.group(1).replace("\\", " ").trim().split("\\s+")) {
				if (!word.startsWith("-")) {
					tools.add(word);
				}
			}
		}
		return tools;
	}

	private static int lastFrom(List<String> lines) {
		int last = -1;
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).startsWith("FROM ")) {
				last = i;
			}
		}
		return last;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (value != null) ? (Map<String, Object>) value : Map.of();
	}

	private static List<String> strings(Object value) {
		List<String> strings = new ArrayList<>();
		if (value instanceof List<?> list) {
			list.forEach((item) -> strings.add(String.valueOf(item)));
		}
		return strings;
	}

	/**
	 * The configuration properties a Spring Boot jar reads: the metadata of its own classes and of every library in
	 * it, matched the way Boot binds environment variables (upper case, dots to underscores, dashes dropped).
	 */
	private record ConfigurationMetadata(Set<String> properties, Set<String> mapPrefixes) {

		static ConfigurationMetadata of(Path jar) throws IOException {
			Set<String> properties = new HashSet<>();
			Set<String> mapPrefixes = new HashSet<>();
			try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
				for (var entries = zip.entries(); entries.hasMoreElements();) {
					var entry = entries.nextElement();
					if (entry.getName().endsWith("configuration-metadata.json")) {
						try (InputStream in = zip.getInputStream(entry)) {
							read(new String(in.readAllBytes(), StandardCharsets.UTF_8), properties, mapPrefixes);
						}
					}
					else if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
						try (java.util.zip.ZipInputStream nested = new java.util.zip.ZipInputStream(
								zip.getInputStream(entry))) {
							for (var inner = nested.getNextEntry(); inner != null; inner = nested.getNextEntry()) {
								if (inner.getName().startsWith("META-INF/")
										&& inner.getName().endsWith("configuration-metadata.json")) {
									read(new String(nested.readAllBytes(), StandardCharsets.UTF_8), properties,
											mapPrefixes);
								}
							}
						}
					}
				}
			}
			return new ConfigurationMetadata(properties, mapPrefixes);
		}

		private static void read(String json, Set<String> properties, Set<String> mapPrefixes) {
			List<Map<String, Object>> declared = JsonPath.read(json, "$.properties[*]");
			for (Map<String, Object> property : declared) {
				String name = environmentForm(String.valueOf(property.get("name")));
				properties.add(name);
				Object type = property.get("type");
				if (type != null && String.valueOf(type).startsWith("java.util.Map")) {
					mapPrefixes.add(name + "_");
				}
			}
		}

		private static String environmentForm(String property) {
			return property.replace("-", "").replace('.', '_').toUpperCase(java.util.Locale.ROOT);
		}

		boolean binds(String variable) {
			return this.properties.contains(variable) || this.mapPrefixes.stream().anyMatch(variable::startsWith);
		}

	}

}
