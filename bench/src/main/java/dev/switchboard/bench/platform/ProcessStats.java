package dev.switchboard.bench.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of local processes, read from {@code /proc} (Linux only). A process that is gone reads
 * as zero. Stateless and thread-safe.
 */
public final class ProcessStats {

	/** The kernel's clock ticks per second ({@code getconf CLK_TCK}), 100 on every Linux this runs on. */
	private static final double CLOCK_TICKS_PER_SECOND = 100;

	private ProcessStats() {
	}

	/** Returns the process and its descendants, e.g. an nginx master and its workers. */
	public static List<Long> tree(long pid) {
		List<Long> pids = new ArrayList<>();
		Optional<ProcessHandle> handle = ProcessHandle.of(pid);
		handle.ifPresent((process) -> Stream.concat(Stream.of(process), process.descendants())
			.forEach((each) -> pids.add(each.pid())));
		return pids;
	}

	/** Returns the user plus system CPU time the processes have used, in seconds. */
	public static double cpuSeconds(List<Long> pids) {
		long ticks = 0;
		for (long pid : pids) {
			String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
			if (stat.isEmpty()) {
				continue;
			}
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		return ticks / CLOCK_TICKS_PER_SECOND;
	}

	/**
	 * Returns the CPU time of each thread of a process by thread id, with the thread's name as the kernel has it
	 * (a JVM gives it the first 15 characters of the Java thread's name).
	 */
	public static Map<Long, ThreadCpu> threads(long pid) {
		Map<Long, ThreadCpu> threads = new HashMap<>();
		Path tasks = Path.of("/proc", Long.toString(pid), "task");
		try (Stream<Path> list = Files.list(tasks)) {
			list.forEach((task) -> {
				String stat = read(task.resolve("stat"));
				if (stat.isEmpty()) {
					return;
				}
				String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				long tid = Long.parseLong(task.getFileName().toString());
				double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
				threads.put(tid, new ThreadCpu(tid, name, seconds));
			});
		}
		catch (IOException ex) {
			// gone
		}
		return threads;
	}

	/**
	 * Returns the CPU each thread used between two {@link #threads} samples, busiest first; threads that used none
	 * are left out.
	 */
	public static List<ThreadCpu> used(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
		List<ThreadCpu> used = new ArrayList<>();
		after.forEach((tid, thread) -> {
			ThreadCpu earlier = before.get(tid);
			double seconds = thread.seconds() - ((earlier != null) ? earlier.seconds() : 0);
			if (seconds > 0) {
				used.add(new ThreadCpu(tid, thread.name(), seconds));
			}
		});
		used.sort(Comparator.comparingDouble(ThreadCpu::seconds).reversed());
		return used;
	}

	/** Returns the resident set size ({@code VmRSS}) of the processes together, in bytes. */
	public static long rssBytes(List<Long> pids) {
		long kib = 0;
		for (long pid : pids) {
			for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
				if (line.startsWith("VmRSS:")) {
					kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
		}
		return kib * 1024;
	}

	/** Returns the CPU time every core of the machine has spent busy (not idle, not waiting for I/O), in seconds. */
	public static double machineBusySeconds() {
		String[] fields = read(Path.of("/proc/stat")).split("\n")[0].trim().split("\\s+");
		if (fields.length < 9 || !fields[0].equals("cpu")) {
			return 0;
		}
		long busy = 0;
		for (int i : new int[] { 1, 2, 3, 6, 7, 8 }) { // user nice system irq softirq steal
			busy += Long.parseLong(fields[i]);
		}
		return busy / CLOCK_TICKS_PER_SECOND;
	}

	/** Returns the one-minute load average of the machine. */
	public static double loadAverage() {
		String loadavg = read(Path.of("/proc/loadavg"));
		return loadavg.isEmpty() ? -1 : Double.parseDouble(loadavg.split(" ")[0]);
	}

	/**
	 * CPU time of one thread.
	 *
	 * @param tid the kernel's thread id
	 * @param name the kernel's name of the thread
	 * @param seconds user plus system CPU time
	 */
	public record ThreadCpu(long tid, String name, double seconds) {

	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			return ""; // gone
		}
	}

}
