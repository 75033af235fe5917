package dev.switchboard.bench.load;

/**
 * What a streaming load measured in its window.
 *
 * @param bytes payload bytes received in the window (message framing and protobuf tags not counted)
 * @param seconds the window's length
 * @param completedCalls streams that ended OK in the window
 * @param errors streams that ended with another status, warm-up included, the ones cut at the end excluded
 * @param firstError the first of those statuses, or {@code null}
 */
public record StreamResult(long bytes, double seconds, long completedCalls, long errors, String firstError) {

	/** Returns the payload throughput in megabytes (10^6 bytes) per second. */
	public double megabytesPerSecond() {
		return this.bytes / this.seconds / 1e6;
	}

}
