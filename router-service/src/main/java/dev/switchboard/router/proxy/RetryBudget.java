package dev.switchboard.router.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds retries to a share of calls, so a failing group cannot be hammered by retry storms: every call deposits
 * {@code ratio} of a token, every retry withdraws one, the balance is capped at {@code maxTokens} and starts full.
 * Thread-safe and lock-free (tokens kept in thousandths).
 */
public final class RetryBudget {

	private static final long SCALE = 1000;

	private final long deposit;

	private final long max;

	private final AtomicLong balance;

	/**
	 * @param ratio the share of a token each call earns, e.g. 0.2 for one retry per five calls
	 * @param maxTokens the most retries that can be saved up (and the initial balance)
	 */
	public RetryBudget(double ratio, int maxTokens) {
		this.deposit = Math.round(ratio * SCALE);
		this.max = maxTokens * SCALE;
		this.balance = new AtomicLong(this.max);
	}

	/** Credits one call. */
	public void onCall() {
		long current = this.balance.get();
		if (current < this.max) {
			this.balance.accumulateAndGet(this.deposit, (now, add) -> Math.min(this.max, now + add));
		}
	}

	/** Takes one retry token; returns whether there was one. */
	public boolean tryRetry() {
		while (true) {
			long current = this.balance.get();
			if (current < SCALE) {
				return false;
			}
			if (this.balance.compareAndSet(current, current - SCALE)) {
				return true;
			}
		}
	}

}
