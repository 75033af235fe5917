package dev.switchboard.bench.router;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A CPU profile of another JVM over a window, by JDK Flight Recorder started and stopped with {@code jcmd}: where the
 * process's Java threads spent their samples, by the library whose code was running. A sample counts for the first
 * frame from the top of its stack that belongs to a known library or to Switchboard, so a {@code HashMap.get} called
 * by gRPC counts as gRPC's; TLS counts as TLS wherever it is called from. Not thread-safe.
 */
final class CpuProfile {

	/** Package prefixes and the part of the stack they name, first match wins, top of the stack first. */
	private static final Map<String, String> PARTS = parts();

	private final long pid;

	private final Path file;

	private final Path jcmd;

	private CpuProfile(long pid, Path file) {
		this.pid = pid;
		this.file = file;
		this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
	}

	/**
	 * Starts recording the process's CPU samples (JFR's {@code profile} settings, a sample of each running thread
	 * every millisecond) into a file in {@code dir}.
	 */
	static CpuProfile start(long pid, Path dir) throws IOException, InterruptedException {
		Files.createDirectories(dir);
		CpuProfile profile = new CpuProfile(pid, dir.resolve("router-" + pid + ".jfr"));
		Files.deleteIfExists(profile.file);
		profile.jcmd("JFR.start", "name=bench", "settings=profile", "method-profiling=max");
		return profile;
	}

	/** Stops the recording and returns its summary: the share of samples per part of the stack, the hottest frames. */
	String stop() throws IOException, InterruptedException {
		jcmd("JFR.stop", "name=bench", "filename=" + this.file);
		Map<String, Long> byPart = new LinkedHashMap<>();
		Map<String, Long> byFrame = new LinkedHashMap<>();
		long samples = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(this.file)) {
			if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
				continue;
			}
			List<RecordedFrame> frames = event.getStackTrace().getFrames();
			if (frames.isEmpty()) {
				continue;
			}
			samples++;
			byPart.merge(part(frames), 1L, Long::sum);
			RecordedFrame top = frames.get(0);
			byFrame.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
		}
		long total = Math.max(1, samples);
		return samples + " samples: " + share(byPart, total, 20) + "\n  hottest frames: " + share(byFrame, total, 8)
				+ "\n  (recording: " + this.file + ")";
	}

	private static String part(List<RecordedFrame> frames) {
		for (RecordedFrame frame : frames) {
			String type = frame.getMethod().getType().getName();
			for (Map.Entry<String, String> part : PARTS.entrySet()) {
				if (type.startsWith(part.getKey())) {
					return part.getValue();
				}
			}
		}
		return "JDK and other";
	}

	private static String share(Map<String, Long> counts, long total, int limit) {
		return counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(limit)
			.map((entry) -> String.format("%s %.1f%%", entry.getKey(), entry.getValue() * 100.0 / total))
			.collect(Collectors.joining(", "));
	}

	private void jcmd(String... command) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>(List.of(this.jcmd.toString(), Long.toString(this.pid)));
		line.addAll(List.of(command));
		Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", line) + " failed: " + output.strip());
		}
	}

	private static Map<String, String> parts() {
		Map<String, String> parts = new LinkedHashMap<>();
		parts.put("sun.security.ssl.", "TLS (JDK)");
		parts.put("javax.crypto.", "TLS (JDK)");
		parts.put("com.sun.crypto.", "TLS (JDK)");
		parts.put("sun.security.", "TLS (JDK)");
		parts.put("io.netty.handler.ssl.", "TLS (Netty)");
		parts.put("io.netty.handler.codec.http2.", "Netty HTTP/2");
		parts.put("io.netty.buffer.", "Netty buffers");
		parts.put("io.netty.channel.epoll.", "Netty epoll");
		parts.put("io.netty.", "Netty other");
		parts.put("io.grpc.", "grpc-java");
		parts.put("dev.switchboard.", "Switchboard");
		parts.put("com.github.benmanes.caffeine.", "Caffeine");
		parts.put("io.micrometer.", "Micrometer");
		parts.put("org.springframework.", "Spring");
		return parts;
	}

}
