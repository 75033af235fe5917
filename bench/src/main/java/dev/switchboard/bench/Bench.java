package dev.switchboard.bench;

import java.util.List;

import dev.switchboard.bench.registry.RegistryBench;

/**
 * Runs benchmark scenarios against the real jars on 127.0.0.1 and prints their figures. Scenarios are bounded in
 * count and time and stop everything they started.
 * <p>
 * Usage: {@code java -jar switchboard-bench-exec.jar [registry]} (all scenarios when none is named).
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		List<String> scenarios = (args.length == 0) ? List.of("registry") : List.of(args);
		for (String scenario : scenarios) {
			switch (scenario) {
				case "registry" -> RegistryBench.run();
				default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'; known: registry");
			}
		}
		System.exit(0);
	}

}
