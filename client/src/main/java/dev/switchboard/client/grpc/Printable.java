package dev.switchboard.client.grpc;

/**
 * Makes caller-supplied text safe to quote in a one-line reason or a log line: non-printable and non-ASCII characters
 * become {@code ?} and long text is cut with an ellipsis.
 */
public final class Printable {

	private Printable() {
	}

	/** Returns {@code text} with at most {@code max} characters, printable ASCII only. */
	public static String of(String text, int max) {
		int length = Math.min(text.length(), max);
		StringBuilder builder = new StringBuilder(length + 3);
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			builder.append((c >= 0x20 && c < 0x7f) ? c : '?');
		}
		if (text.length() > max) {
			builder.append("...");
		}
		return builder.toString();
	}

	/** Returns {@code text} with at most 64 characters, printable ASCII only. */
	public static String of(String text) {
		return of(text, 64);
	}

}
