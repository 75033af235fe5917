package dev.switchboard.launcher.process;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.switchboard.launcher.state.StateDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchedProcessesTests {

	@TempDir
	Path temp;

	private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

	@Test
	void whenStartedThenPidFileLogAndEnvironmentAndAnotherRunFindsIt() throws Exception {
		StateDirectory state = state();
		LaunchedProcesses processes = processes(state);
		processes.start("echo-1", List.of("sh", "-c", "echo \"$GREETING\"; exec sleep 30"),
				Map.of("GREETING", "hello"));
		try {
			LaunchedProcesses another = processes(state);
			assertThat(another.names()).containsExactly("echo-1");
			assertThat(another.isRunning("echo-1")).isTrue();
			assertThat(this.printed.toString(StandardCharsets.UTF_8)).startsWith("  started echo-1 (pid ")
				.contains("log logs/echo-1.log");
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (Files.size(state.logs().resolve("echo-1.log")) == 0 && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(state.logs().resolve("echo-1.log")).content().isEqualToIgnoringNewLines("hello");
		}
		finally {
			processes.stopTogether(processes.names());
		}
		assertThat(processes.isRunning("echo-1")).isFalse();
	}

	@Test
	void whenAlreadyRunningThenNotStartedTwice() {
		StateDirectory state = state();
		LaunchedProcesses processes = processes(state);
		processes.start("sleeper", List.of("sleep", "30"), Map.of());
		long pid = processes.runningPid("sleeper").getAsLong();
		try {
			processes.start("sleeper", List.of("sleep", "30"), Map.of());
			assertThat(processes.runningPid("sleeper")).hasValue(pid);
			assertThat(this.printed.toString(StandardCharsets.UTF_8))
				.contains("  sleeper already running (pid " + pid + ")");
		}
		finally {
			processes.stopTogether(List.of("sleeper"));
		}
	}

	@Test
	void whenStoppedTogetherThenEveryOneIsAskedAtOnceAndForgotten() {
		StateDirectory state = state();
		LaunchedProcesses processes = processes(state);
		processes.start("a", List.of("sleep", "30"), Map.of());
		processes.start("b", List.of("sleep", "30"), Map.of());
		long started = System.nanoTime();
		processes.stopTogether(processes.names());
		assertThat(System.nanoTime() - started).as("SIGTERM, not the 30 s drain limit").isLessThan(10_000_000_000L);
		assertThat(processes.anyRunning()).isFalse();
		processes.forgetAll();
		assertThat(processes.names()).isEmpty();
		assertThat(this.printed.toString(StandardCharsets.UTF_8)).contains("  stopping a", "  stopping b");
	}

	private StateDirectory state() {
		StateDirectory state = StateDirectory.at(this.temp);
		state.create();
		return state;
	}

	private LaunchedProcesses processes(StateDirectory state) {
		return new LaunchedProcesses(state, "logs", new PrintStream(this.printed, true, StandardCharsets.UTF_8));
	}

}
