package dev.switchboard.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a plaintext HTTP/2 gRPC target with h2load (Debian's {@code nghttp2-client}), an outside load generator, so a
 * figure does not depend on the bench's own client. One unary method, one request message, fixed headers; h2load
 * counts HTTP status only, so the caller checks gRPC statuses elsewhere (the router's meters, say).
 */
public final class H2load {

	private static final Pattern RATE = Pattern.compile("finished in [0-9.]+s, ([0-9.]+) req/s");

	private static final Pattern DONE = Pattern.compile("requests: \\d+ total, \\d+ started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");

	private final Path executable;

	private final Path body;

	private H2load(Path executable, Path body) {
		this.executable = executable;
		this.body = body;
	}

	/**
	 * @param executable the h2load binary
	 * @param dir where the request body file goes
	 * @param message the serialized request message, framed here as gRPC frames it
	 */
	public static H2load of(Path executable, Path dir, byte[] message) throws IOException {
		ByteBuffer framed = ByteBuffer.allocate(5 + message.length);
		framed.put((byte) 0).putInt(message.length).put(message);
		Path body = Files.createDirectories(dir).resolve("h2load-request.bin");
		Files.write(body, framed.array());
		return new H2load(executable, body);
	}

	/**
	 * Runs h2load against {@code http://address/method} for {@code seconds} after a 2 s warm-up, on
	 * {@code connections} connections with {@code streams} concurrent streams each, one thread. Header values reach
	 * h2load on its command line: pass only test tokens.
	 */
	public Result run(String address, String fullMethodName, Map<String, String> headers, int connections,
			int streams, int seconds) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "-D", Integer.toString(seconds),
				"--warm-up-time", "2", "-c", Integer.toString(connections), "-m", Integer.toString(streams), "-t", "1",
				"-d", this.body.toString(), "-H", "content-type: application/grpc", "-H", "te: trailers"));
		headers.forEach((name, value) -> command.addAll(List.of("-H", name + ": " + value)));
		command.add("http://" + address + "/" + fullMethodName);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("h2load did not finish");
		}
		Matcher rate = RATE.matcher(output);
		Matcher done = DONE.matcher(output);
		if (!rate.find() || !done.find()) {
			throw new IllegalStateException("h2load printed no result:\n" + output);
		}
		return new Result(Double.parseDouble(rate.group(1)), Long.parseLong(done.group(1)),
				Long.parseLong(done.group(3)) + Long.parseLong(done.group(4)));
	}

	/**
	 * What one h2load run measured.
	 *
	 * @param callsPerSecond requests per second over the measured period
	 * @param done requests done in it
	 * @param failed requests that failed or errored at the HTTP level
	 */
	public record Result(double callsPerSecond, long done, long failed) {
	}

}
