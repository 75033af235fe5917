package dev.switchboard.bench;

import java.util.List;

import dev.switchboard.bench.registry.RegistryBench;

/**
 * Runs benchmark scenarios against the real jars on 127.0.0.1 and prints their figures. Scenarios are bounded in
 * count and time and stop everything they started.
 * <p>
 * Usage: {@code java -jar switchboard-bench-exec.jar [registry[:watch,load,kill]]} (all scenarios, and all their
 * parts, when none is named).
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		List<String> scenarios = (args.length == 0) ? List.of("registry") : List.of(args);
		for (String argument : scenarios) {
			String scenario = argument.contains(":") ? argument.substring(0, argument.indexOf(':')) : argument;
			java.util.Set<String> parts = argument.contains(":")
					? java.util.Set.of(argument.substring(argument.indexOf(':') + 1).split(",")) : java.util.Set.of();
			switch (scenario) {
				case "registry" -> RegistryBench.run(parts);
				default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'; known: registry");
			}
		}
		System.exit(0);
	}

}
