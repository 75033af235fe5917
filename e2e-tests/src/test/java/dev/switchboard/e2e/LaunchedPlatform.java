package dev.switchboard.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.client.identity.PlatformTrust;
import dev.switchboard.launcher.platform.LocalPlatform;
import dev.switchboard.launcher.platform.LocalPlatform.Layout;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform {@code ./switchboard up --ha} starts, as a user starts it: on the launcher's fixed ports, with its state
 * in a folder of the test's (kept after the run for a look at the logs). Environment variables given here reach every
 * process the launcher starts, so a suite can tune any setting by its relaxed name. One at a time per machine.
 */
final class LaunchedPlatform implements AutoCloseable {

	/** The layout started: {@code up --ha} with two compute replicas, one volume and two network replicas. */
	private static final Layout LAYOUT = new Layout(true, 2, 1, 2);

	/** Every fixed port of {@link #LAYOUT}: routers, registries, auth, dashboard, Hazelcast, Java samples. */
	static final List<Integer> PORTS = LocalPlatform.ports(LAYOUT);

	private final Path state;

	private final Map<String, String> environment;

	private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

	private String output;

	private Map<String, String> credentials;

	private String adminPassword;

	private LaunchedPlatform(Path state, Map<String, String> environment) {
		this.state = state;
		this.environment = environment;
	}

	/**
	 * Runs {@code ./switchboard up --ha} with two compute replicas, one volume replica and, where a python3 with
	 * grpcio is found, two network (Python) replicas.
	 * @param name the state folder under {@code target/}, emptied first
	 * @param environment settings for every process, as environment variables
	 */
	static LaunchedPlatform upHa(String name, Map<String, String> environment) throws Exception {
		for (int port : PORTS) {
			try (ServerSocket socket = new ServerSocket()) {
				socket.bind(new InetSocketAddress("127.0.0.1", port));
			}
			catch (IOException ex) {
				throw new IllegalStateException("port " + port + " is taken; this suite runs './switchboard up --ha' on "
						+ "the launcher's own ports (stop a running platform with ./switchboard down)", ex);
			}
		}
		Path state = Path.of("target", name).toAbsolutePath();
		if (Files.exists(state)) {
			try (var old = Files.walk(state)) {
				old.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
		Files.createDirectories(state);
		LaunchedPlatform platform = new LaunchedPlatform(state, environment);
		platform.output = platform.launcher(Duration.ofMinutes(5), "up", "--ha");
		platform.credentials = PlatformClients.readEnvFile(state.resolve("credentials.env"));
		platform.adminPassword = Files.readString(state.resolve("admin.password")).trim();
		return platform;
	}

	/** What {@code up} printed. */
	String output() {
		return this.output;
	}

	Path state() {
		return this.state;
	}

	/** The bootstrap clients' ids and secrets ({@code SWITCHBOARD_ADMIN_CLIENT_ID} and so on). */
	Map<String, String> credentials() {
		return this.credentials;
	}

	/** The platform group clients' secrets ({@code SWITCHBOARD_COMPUTE_CLIENT_SECRET} and so on). */
	Map<String, String> groupSecrets() throws IOException {
		return PlatformClients.readEnvFile(this.state.resolve("clients.env"));
	}

	/** A token of bootstrap client {@code prefix} ({@code SWITCHBOARD_DEMO}, ...) from the auth replica on that port. */
	String token(int authHttp, String prefix) throws Exception {
		return PlatformClients.token(tokenUri(authHttp), this.credentials.get(prefix + "_CLIENT_ID"),
				this.credentials.get(prefix + "_CLIENT_SECRET"));
	}

	static URI tokenUri(int authHttp) {
		return URI.create("http://127.0.0.1:" + authHttp + "/oauth2/token");
	}

	/** Runs {@code ./switchboard status}; returns what it printed. */
	String status() throws Exception {
		return launcher(Duration.ofMinutes(1), "status");
	}

	/** The pid of launched process {@code name} ({@code auth-1}, ...). */
	long pid(String name) throws IOException {
		return Long.parseLong(Files.readString(this.state.resolve("pids/" + name + ".pid")).trim());
	}

	/** Kills launched process {@code name} as a crash would. */
	void kill(String name) throws IOException {
		ProcessHandle.of(pid(name)).ifPresent(ProcessHandle::destroyForcibly);
	}

	/** A plaintext channel to a router's front door, closed with the platform. */
	ManagedChannel plaintext(int port) {
		return track(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
	}

	/** A TLS channel without a client certificate that accepts only a server of {@code group}. */
	ManagedChannel tls(int port, String group) {
		return track(Grpc.newChannelBuilderForAddress("127.0.0.1", port,
				TlsChannelCredentials.newBuilder().trustManager(trust().trustManager(Set.of(group))).build()).build());
	}

	/** Trust in the CA the launcher's auth wrote. */
	PlatformTrust trust() {
		return PlatformTrust.fromFile(Identities.TRUST_DOMAIN, this.state.resolve("ca.pem"));
	}

	ManagedChannel track(ManagedChannel channel) {
		this.channels.add(channel);
		return channel;
	}

	/** Reads {@code /actuator/prometheus} on an HTTP port as the admin. */
	String scrape(int httpPort) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString(("admin:" + this.adminPassword).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
				.header("Authorization", "Basic " + basic)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	/** Runs {@code ./switchboard down} and checks every launched process stopped. */
	@Override
	public void close() throws Exception {
		this.channels.forEach(ManagedChannel::shutdownNow);
		List<Long> pids = new ArrayList<>();
		try (var files = Files.list(this.state.resolve("pids"))) {
			for (Path file : files.toList()) {
				pids.add(Long.parseLong(Files.readString(file).trim()));
			}
		}
		launcher(Duration.ofMinutes(2), "down");
		for (long pid : pids) {
			assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid + " stopped")
				.isFalse();
		}
	}

	/** Runs the launcher with this platform's state folder and fewer sample replicas; returns what it printed. */
	private String launcher(Duration timeout, String... arguments) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(PlatformProcess.root().resolve("switchboard").toString());
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(this.environment);
		builder.environment().put("SWITCHBOARD_STATE", this.state.toString());
		builder.environment().put("SWITCHBOARD_COMPUTE_REPLICAS", String.valueOf(LAYOUT.computeReplicas()));
		builder.environment().put("SWITCHBOARD_VOLUME_REPLICAS", String.valueOf(LAYOUT.volumeReplicas()));
		Path printed = Files.createTempFile(this.state, "launcher", ".out");
		builder.redirectOutput(printed.toFile());
		Process process = builder.start();
		boolean exited = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
		String text = Files.readString(printed);
		if (!exited) {
			process.destroyForcibly();
		}
		assertThat(exited).as("./switchboard " + String.join(" ", arguments) + " finished:\n" + text).isTrue();
		assertThat(process.exitValue()).as("./switchboard " + String.join(" ", arguments) + ":\n" + text).isZero();
		return text;
	}

}
