package dev.switchboard.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.switchboard.contracts.DefaultPorts;
import dev.switchboard.router.proxy.CallRate;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the router under {@code switchboard.router}.
 *
 * @param maxMessageSize Largest message accepted either way; larger gets RESOURCE_EXHAUSTED
 * @param eventLoopThreads Event loop threads shared by the server and the upstream channels; 0 for one per core
 * @param retry Failover of calls that did not reach a replica
 * @param outlier Ejection of replicas whose connections fail
 * @param auth Authorization of every forwarded call by the auth service
 * @param connections Limits of each caller's connection
 * @param maxMethodTags Most distinct method tag values of the router's call meters; calls of methods beyond them are
 * not metered, so no caller can grow the metrics without bound
 * @param rateLimits Limits of the calls each principal forwards through the router
 */
@ConfigurationProperties("switchboard.router")
public record RouterProperties(@DefaultValue("4MB") DataSize maxMessageSize, @DefaultValue("0") int eventLoopThreads,
		@DefaultValue Retry retry, @DefaultValue Outlier outlier, @DefaultValue Auth auth,
		@DefaultValue Connections connections, @DefaultValue("1000") int maxMethodTags,
		@DefaultValue RateLimits rateLimits) {

	public RouterProperties {
		if (rateLimits.enabled() && !auth.enabled()) {
			// the limits are per principal, and only authorization tells a call's principal
			throw new IllegalArgumentException("switchboard.router.rate-limits.enabled needs "
					+ "switchboard.router.auth.enabled: calls are limited per principal of their token");
		}
	}

	/**
	 * Per-principal limits of forwarded calls: each principal (the OAuth2 client id its token was issued to) has a
	 * token bucket, checked once per call (a stream is one call) after authorization; a call over it gets
	 * RESOURCE_EXHAUSTED and reaches no replica.
	 *
	 * @param enabled Whether forwarded calls are limited per principal (needs {@code auth.enabled})
	 * @param callsPerSecond Calls per second each principal may make, sustained, unless {@code principals} names it
	 * @param burst Calls a principal may make at once after being idle; one second's calls ({@code callsPerSecond}
	 * rounded up) when unset
	 * @param principals Limits of particular principals instead, by client id (in brackets when it has dots:
	 * {@code principals[my.client]})
	 * @param maxPrincipals Most principals whose buckets are kept; an idle bucket goes a minute after it is full
	 * again, and beyond this many active principals some start afresh
	 */
	public record RateLimits(@DefaultValue("false") boolean enabled, @DefaultValue("100") double callsPerSecond,
			Integer burst, @DefaultValue Map<String, Limit> principals, @DefaultValue("10000") int maxPrincipals) {

		private static final String PREFIX = "switchboard.router.rate-limits";

		public RateLimits {
			check(PREFIX, callsPerSecond, burst);
			principals.forEach((clientId, limit) -> check(PREFIX + ".principals[" + clientId + "]",
					limit.callsPerSecond(), limit.burst()));
			if (maxPrincipals < 1) {
				throw new IllegalArgumentException(PREFIX + ".max-principals must be positive, not " + maxPrincipals);
			}
		}

		/** Returns the rate of every principal {@link #principals} does not name. */
		public CallRate standardRate() {
			return rate(this.callsPerSecond, this.burst);
		}

		/** Returns the rates of the principals named, by client id. */
		public Map<String, CallRate> principalRates() {
			return this.principals.entrySet()
				.stream()
				.collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
						(entry) -> rate(entry.getValue().callsPerSecond(), entry.getValue().burst())));
		}

		private static CallRate rate(double callsPerSecond, Integer burst) {
			CallRate rate = CallRate.perSecond(callsPerSecond);
			return (burst != null) ? rate.withBurst(burst) : rate;
		}

		private static void check(String prefix, double callsPerSecond, Integer burst) {
			if (!(callsPerSecond >= CallRate.MIN_PER_SECOND && callsPerSecond <= CallRate.MAX_PER_SECOND)) {
				throw new IllegalArgumentException(prefix + ".calls-per-second must be between "
						+ CallRate.MIN_PER_SECOND + " and " + (long) CallRate.MAX_PER_SECOND + ", not "
						+ callsPerSecond);
			}
			if (burst != null && (burst < 1 || burst > CallRate.MAX_BURST)) {
				throw new IllegalArgumentException(
						prefix + ".burst must be between 1 and " + CallRate.MAX_BURST + ", not " + burst);
			}
		}

		/**
		 * One principal's limit.
		 *
		 * @param callsPerSecond Calls per second the principal may make, sustained (required)
		 * @param burst Calls it may make at once after being idle; one second's calls when unset
		 */
		public record Limit(double callsPerSecond, Integer burst) {

		}

	}

	/**
	 * What one caller's connection may take of the router.
	 *
	 * @param maxConcurrentStreams Most calls in flight on one connection (HTTP/2 MAX_CONCURRENT_STREAMS); more wait
	 * in the caller's transport
	 * @param maxRstFrames Most stream resets a caller may send per {@code rstWindow} before its connection is closed
	 * (HTTP/2 rapid-reset floods)
	 * @param rstWindow The window {@code maxRstFrames} counts in
	 * @param maxHeaderListSize Largest metadata a call may carry; larger is refused
	 * @param maxAge How long a connection lives before the router asks the caller to reconnect (GOAWAY), so load
	 * spreads over routers again
	 * @param maxAgeGrace How long calls still in flight then get to finish
	 * @param maxIdle How long a connection without calls is kept
	 */
	public record Connections(@DefaultValue("1000") int maxConcurrentStreams, @DefaultValue("200") int maxRstFrames,
			@DefaultValue("10s") Duration rstWindow, @DefaultValue("8KB") DataSize maxHeaderListSize,
			@DefaultValue("30m") Duration maxAge, @DefaultValue("30s") Duration maxAgeGrace,
			@DefaultValue("1h") Duration maxIdle) {

	}

	/**
	 * @param maxAttempts Most attempts per call, the first included
	 * @param budgetRatio Retries allowed per call, on average (0.2 is one per five calls)
	 * @param budgetMaxTokens Most retries that can be saved up
	 * @param replayLimit Request bytes a call keeps for replay before it commits to its replica
	 */
	public record Retry(@DefaultValue("3") int maxAttempts, @DefaultValue("0.2") double budgetRatio,
			@DefaultValue("100") int budgetMaxTokens, @DefaultValue("64KB") DataSize replayLimit) {

	}

	/**
	 * @param enabled Whether every forwarded call needs a bearer token that allows it
	 * @param fallbackAddress Auth replicas (host:port, comma-separated) to ask after those registered in group
	 * {@code auth}: list every auth replica, so auth stays reachable while the registry lists none
	 * @param cacheMaxAge Longest a decision is remembered (never longer than its token lives)
	 * @param cacheMaxTokens How many tokens' decisions are remembered
	 * @param timeout Deadline of each Authorize call
	 * @param forwardToken Whether the caller's token reaches the component (its principal always does)
	 */
	public record Auth(@DefaultValue("true") boolean enabled, @DefaultValue(DefaultPorts.AUTH_ADDRESS) List<String> fallbackAddress,
			@DefaultValue("5m") Duration cacheMaxAge, @DefaultValue("100000") long cacheMaxTokens,
			@DefaultValue("2s") Duration timeout, @DefaultValue("false") boolean forwardToken) {

	}

	/**
	 * @param consecutiveFailures Connection failures in a row that eject a replica
	 * @param baseEjection First ejection time; doubles with each further ejection
	 * @param maxEjection Longest ejection
	 * @param slowStart Time over which a returning replica ramps from 10% to its full weight
	 */
	public record Outlier(@DefaultValue("3") int consecutiveFailures, @DefaultValue("5s") Duration baseEjection,
			@DefaultValue("60s") Duration maxEjection, @DefaultValue("10s") Duration slowStart) {

	}

}
