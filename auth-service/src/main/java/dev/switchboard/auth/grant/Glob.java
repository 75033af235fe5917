package dev.switchboard.auth.grant;

import java.util.Objects;

/**
 * A pattern where {@code *} matches any run of characters (slashes and dots included) and every other character
 * matches itself. Matching is linear in practice and never backtracks more than the last star. Immutable.
 */
public record Glob(String pattern) {

	public Glob {
		Objects.requireNonNull(pattern, "pattern");
	}

	/** Returns whether {@code text} matches the whole pattern. */
	public boolean matches(String text) {
		String pattern = this.pattern;
		int p = 0;
		int t = 0;
		int star = -1;
		int resume = 0;
		while (t < text.length()) {
			if (p < pattern.length() && pattern.charAt(p) == '*') {
				star = p++;
				resume = t;
			}
			else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
				p++;
				t++;
			}
			else if (star >= 0) {
				p = star + 1;
				t = ++resume;
			}
			else {
				return false;
			}
		}
		while (p < pattern.length() && pattern.charAt(p) == '*') {
			p++;
		}
		return p == pattern.length();
	}

}
