package dev.switchboard.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.switchboard.launcher.admin.AdminRequest;
import dev.switchboard.launcher.platform.LocalPlatform;
import dev.switchboard.launcher.platform.TokenClient;
import dev.switchboard.launcher.process.Foreground;
import dev.switchboard.launcher.process.JavaCommand;
import dev.switchboard.launcher.process.LaunchedProcesses;
import dev.switchboard.launcher.state.EnvFile;
import dev.switchboard.launcher.state.StateDirectory;
import dev.switchboard.launcher.topology.Checkout;
import dev.switchboard.launcher.topology.JvmSettings;
import dev.switchboard.launcher.topology.PlatformService;

/**
 * {@code ./switchboard}: runs the platform locally on 127.0.0.1 and runs its tests. The bash script only finds a JDK
 * and hands over to this; state and logs live in the checkout's {@code .switchboard/} (or {@code SWITCHBOARD_STATE}).
 */
public final class SwitchboardLauncher {

	private static final String USAGE = """
			Switchboard launcher: runs the platform locally on 127.0.0.1 and runs its tests.

			  ./switchboard up [--ha] build what is missing, start auth, registry, router, sample replicas (Java compute and
			                          volume, Python network where a python3 with grpcio is found) and the dashboard, wait
			                          until healthy; --ha runs two replicas each of registry, auth and router
			  ./switchboard status    what runs where
			  ./switchboard down      stop everything 'up' started
			  ./switchboard list|describe|call <host:port> ...
			                          a grpcurl-like client that needs no protos (reflection), e.g. via the router on %d
			  ./switchboard token [admin|demo|<group>]
			                          an access token of the local platform's clients, for -H "authorization: Bearer ..."
			  ./switchboard admin ... create and disable clients, grant and revoke, list groups and instances,
			                          set or clear OUT_OF_SERVICE (./switchboard admin for the list)
			  ./switchboard compose-env
			                          write .env with fresh secrets for docker compose (docker-compose.yml)
			  ./switchboard test      run every test (unit, in-process gRPC, end-to-end with real processes)
			  ./switchboard bench     run the benchmark scenarios and print their figures

			State and logs live under .switchboard/ in the checkout.
			""".formatted(PlatformService.ROUTER.grpcPort(1));

	private final Checkout checkout;

	private final StateDirectory state;

	private final LaunchedProcesses processes;

	private final PrintStream out;

	private SwitchboardLauncher(Checkout checkout, StateDirectory state, PrintStream out) {
		this.checkout = checkout;
		this.state = state;
		this.out = out;
		Path root = checkout.root();
		// as printed: relative to the checkout when the state is in it
		String logs = state.logs().startsWith(root) ? root.relativize(state.logs()).toString()
				: state.logs().toString();
		this.processes = new LaunchedProcesses(state, logs, out);
	}

	public static void main(String[] args) {
		Checkout checkout = Checkout.current();
		String configured = System.getenv("SWITCHBOARD_STATE");
		StateDirectory state = StateDirectory.at((configured != null && !configured.isEmpty()) ? Path.of(configured)
				: checkout.root().resolve(".switchboard"));
		try {
			System.exit(new SwitchboardLauncher(checkout, state, System.out).run(Arrays.asList(args)));
		}
		catch (LauncherException ex) {
			System.out.flush();
			System.err.println("switchboard: " + ex.getMessage());
			System.exit(1);
		}
	}

	/** Runs one command; returns the exit status. */
	private int run(List<String> args) {
		String command = args.isEmpty() ? "help" : args.getFirst();
		List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
		return switch (command) {
			case "up" -> up(rest);
			case "status" -> {
				platform().status();
				yield 0;
			}
			case "down" -> {
				platform().down();
				yield 0;
			}
			case "list", "describe", "call" -> cli(args);
			case "token" -> {
				this.out.println(token(rest.isEmpty() ? "demo" : rest.getFirst()));
				yield 0;
			}
			case "admin" -> admin(rest);
			case "compose-env" -> composeEnv(rest);
			case "test" -> TestRun.run(this.checkout, rest);
			case "bench" -> {
				buildIfMissing();
				List<String> bench = new ArrayList<>(List.of(this.checkout.root().resolve("bench/run").toString()));
				bench.addAll(rest);
				yield Foreground.run(bench, this.checkout.root(), Map.of());
			}
			default -> {
				this.out.print(USAGE);
				yield 0;
			}
		};
	}

	private int up(List<String> args) {
		boolean ha = false;
		for (String arg : args) {
			if (!arg.equals("--ha")) {
				throw new LauncherException("unknown option '" + arg + "' (up [--ha])");
			}
			ha = true;
		}
		buildIfMissing();
		platform().up(LocalPlatform.Layout.fromEnvironment(ha));
		return 0;
	}

	private LocalPlatform platform() {
		return new LocalPlatform(this.checkout, this.state, this.processes, this.out, System.err);
	}

	/** Builds the platform's jars when one is missing; not this launcher's own, which is running. */
	private void buildIfMissing() {
		if (this.checkout.platformJars().stream().allMatch(Files::isRegularFile)) {
			return;
		}
		this.out.println("Building the platform (first run, about a minute)...");
		int status = Foreground.run(List.of("mvn", "-B", "-q", "-DskipTests", "-Dmaven.test.skip=true",
				"-Dswitchboard.launcher.keep-jar=true", "install"), this.checkout.root(), Map.of());
		if (status != 0) {
			throw new LauncherException("build failed");
		}
	}

	/** The reflection client in the foreground; {@code --tls} trusts the local platform's CA by itself. */
	private int cli(List<String> args) {
		return cli(args, Map.of());
	}

	/** The reflection client in the foreground, with these variables added to its environment. */
	private int cli(List<String> args, Map<String, String> variables) {
		buildIfMissing();
		List<String> command = new ArrayList<>();
		command.add(JavaCommand.java());
		command.addAll(JvmSettings.toolOptions());
		command.addAll(List.of("-jar", this.checkout.cliJar().toString()));
		command.addAll(args);
		Map<String, String> environment = new HashMap<>(variables);
		if (Files.isRegularFile(this.state.trustBundle())) {
			environment.put("SWITCHBOARD_CACERT", this.state.trustBundle().toString());
		}
		return Foreground.run(command, Path.of("").toAbsolutePath(), environment);
	}

	/** A token of the local platform's client {@code who}: admin, demo, or a group's. */
	private String token(String who) {
		if (!Files.isRegularFile(this.state.credentialsFile())) {
			throw new LauncherException("no .switchboard/credentials.env: run ./switchboard up first");
		}
		Map<String, String> clients = new HashMap<>(EnvFile.readIfExists(this.state.credentialsFile()));
		clients.putAll(EnvFile.readIfExists(this.state.clientsFile()));
		String upper = who.toUpperCase(Locale.ROOT);
		String id = clients.get("SWITCHBOARD_" + upper + "_CLIENT_ID");
		String secret = clients.get("SWITCHBOARD_" + upper + "_CLIENT_SECRET");
		// the group clients are named after their group
		if (id == null && secret != null) {
			id = who;
		}
		if (id == null || secret == null) {
			throw new LauncherException("unknown client '" + who + "' (admin, demo or a group: "
					+ String.join(" ", PlatformService.groups()) + ")");
		}
		return TokenClient.token(localTokenUri(), id, secret);
	}

	private int admin(List<String> args) {
		String command = args.isEmpty() ? "help" : args.getFirst();
		var request = AdminRequest.parse(command, args.isEmpty() ? List.of() : args.subList(1, args.size()));
		if (request.isEmpty()) {
			this.out.print(AdminRequest.USAGE);
			return 0;
		}
		String target = request.get().auth()
				? env("SWITCHBOARD_AUTH_ADDRESS", "127.0.0.1:" + PlatformService.AUTH.grpcPort(1))
				: env("SWITCHBOARD_REGISTRY_ADDRESS", "127.0.0.1:" + PlatformService.REGISTRY.grpcPort(1));
		String token;
		try {
			token = adminToken();
		}
		catch (LauncherException ex) {
			throw new LauncherException("could not get an admin token: " + ex.getMessage(), ex);
		}
		// the token reaches the client in its environment: on a command line every user of the machine could read it
		return cli(List.of("call", "--tls", target, request.get().method(), request.get().body()),
				Map.of("SWITCHBOARD_TOKEN", token));
	}

	/** {@code SWITCHBOARD_TOKEN}, or a token of the admin client the environment names, or the local admin's. */
	private String adminToken() {
		String given = System.getenv("SWITCHBOARD_TOKEN");
		if (given != null && !given.isEmpty()) {
			return given;
		}
		String id = System.getenv("SWITCHBOARD_ADMIN_CLIENT_ID");
		String secret = System.getenv("SWITCHBOARD_ADMIN_CLIENT_SECRET");
		if (id != null && !id.isEmpty() && secret != null && !secret.isEmpty()) {
			return TokenClient.token(URI.create(env("SWITCHBOARD_TOKEN_URI", localTokenUri().toString())), id,
					secret);
		}
		return token("admin");
	}

	private static URI localTokenUri() {
		return URI.create("http://127.0.0.1:" + PlatformService.AUTH.httpPort(1) + "/oauth2/token");
	}

	/** Writes {@code .env} for docker compose: {@code .env.example} with a fresh random value for every secret. */
	private int composeEnv(List<String> args) {
		Path target = this.checkout.root().resolve(".env");
		if (Files.exists(target) && !args.contains("--force")) {
			throw new LauncherException(".env exists; keep it, or run compose-env --force to replace every secret in it");
		}
		try {
			StringBuilder env = new StringBuilder();
			for (String line : Files.readAllLines(this.checkout.root().resolve(".env.example"))) {
				env.append(ComposeEnv.withSecret(line)).append('\n');
			}
			StateDirectory.writeOwnerOnly(target, env.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.out.println("wrote .env (mode 600) with fresh secrets; now: docker compose up -d --build");
		return 0;
	}

	private static String env(String name, String otherwise) {
		String value = System.getenv(name);
		return (value == null || value.isEmpty()) ? otherwise : value;
	}

}
