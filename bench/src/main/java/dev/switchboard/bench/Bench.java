package dev.switchboard.bench;

import java.util.List;
import java.util.Set;

import dev.switchboard.bench.auth.AuthBench;
import dev.switchboard.bench.identity.IdentityBench;
import dev.switchboard.bench.manager.ManagerBench;
import dev.switchboard.bench.registry.RegistryBench;
import dev.switchboard.bench.router.RouterBench;

/**
 * Runs benchmark scenarios against the real jars on 127.0.0.1 and prints their figures. Scenarios are bounded in
 * count and time and stop everything they started.
 * <p>
 * Usage: {@code java -jar switchboard-bench-exec.jar [registry[:watch,load,failover,kill,instances=N,replicas=N,watchers=N,seconds=N]]
 * [router[:unary,latency,stream,scale,profile,warmup=SECONDS]] [auth] [identity] [manager[:jmh,memory]]} (all scenarios, and all their parts,
 * when none is named).
 */
public final class Bench {

	private static final List<String> SCENARIOS = List.of("registry", "router", "auth", "identity",
			"manager");

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		List<String> scenarios = (args.length == 0) ? SCENARIOS : List.of(args);
		for (String argument : scenarios) {
			String scenario = argument.contains(":") ? argument.substring(0, argument.indexOf(':')) : argument;
			Set<String> parts = argument.contains(":") ? Set.of(argument.substring(argument.indexOf(':') + 1).split(","))
					: Set.of();
			switch (scenario) {
				case "registry" -> RegistryBench.run(parts);
				case "router" -> RouterBench.run(parts);
				case "auth" -> AuthBench.run();
				case "identity" -> IdentityBench.run();
				case "manager" -> ManagerBench.run(parts);
				default -> throw new IllegalArgumentException(
						"unknown scenario '" + scenario + "'; known: " + String.join(", ", SCENARIOS));
			}
		}
		System.exit(0);
	}

}
