package dev.switchboard.bench.identity;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.PresentedCertificate;
import dev.switchboard.bench.platform.SecuredPlatform;
import dev.switchboard.client.identity.PlatformIdentity;
import dev.switchboard.client.identity.PlatformTrust;
import org.HdrHistogram.Histogram;

/**
 * Figures of the platform identity, on a platform started as {@code ./switchboard up} starts it (auth on, one client
 * per group, mutual TLS on every hop): how long a certificate takes to issue and how many auth issues per second; and
 * how soon a renewed certificate is presented to new connections. The router's forwarding over mutual TLS is
 * measured by {@code RouterBench}.
 */
public final class IdentityBench {

	private static final Duration START = Duration.ofSeconds(120);

	/** Short, so renewals can be watched within the run. */
	private static final Duration CERTIFICATE_LIFETIME = Duration.ofSeconds(20);

	/** The replica's JVM: C2 on, as RouterBench runs it. */
	private static final List<String> SERVICE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xss512k");

	private IdentityBench() {
	}

	public static void run() throws Exception {
		try (SecuredPlatform platform = SecuredPlatform.start("bench-identity", CERTIFICATE_LIFETIME, SERVICE_JVM,
				Map.of(), START)) {
			System.out.println("== identity (auth, registry, 1 compute replica; mutual TLS on every hop; "
					+ "2 cores, all on 127.0.0.1) ==");
			issuance(platform);
			PlatformIdentity asRouter = platform.identity("router", "bench-direct");
			renewalInUse(platform.replica(), platform.replicaAddress(), platform.trust(), asRouter);
		}
	}

	/** Sequential issuance latency, then issuance rate with 4 callers, each renewing its own identity. */
	private static void issuance(SecuredPlatform platform) throws Exception {
		{
			PlatformIdentity identity = platform.identity("compute", "bench-issuance");
			for (int i = 0; i < 50; i++) {
				identity.renew();
			}
			Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
			for (int i = 0; i < 300; i++) {
				long started = System.nanoTime();
				identity.renew();
				latency.recordValue(System.nanoTime() - started);
			}
			System.out.printf("certificate issuance (new P-256 key, CSR, IssueCertificate over TLS with a cached token, "
					+ "chain verified), one caller, 300 in a row: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
					latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
					latency.getMaxValue() / 1e6);
			List<PlatformIdentity> callers = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				callers.add(platform.identity("compute", "bench-issuance-" + i));
			}
			AtomicLong issued = new AtomicLong();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			List<Thread> threads = new ArrayList<>();
			for (PlatformIdentity caller : callers) {
				threads.add(Thread.ofPlatform().start(() -> {
					while (System.nanoTime() < deadline) {
						caller.renew();
						issued.incrementAndGet();
					}
				}));
			}
			for (Thread thread : threads) {
				thread.join();
			}
			System.out.printf("certificate issuance, 4 callers for 5 s: %.0f certificates/s%n", issued.get() / 5.0);
		}
	}

	/**
	 * Watches the replica's certificate over two of its renewals: the time from the replica logging that it holds a
	 * new certificate to the first new connection that is shown it, probed every 50 ms with a full handshake.
	 */
	private static void renewalInUse(PlatformProcess replica, String replicaTarget, PlatformTrust trust,
			PlatformIdentity client) {
		X509Certificate current = PresentedCertificate.of(replicaTarget, trust.trustManager(Set.of("compute")),
				client.keyManager());
		List<String> delays = new ArrayList<>();
		long deadline = System.nanoTime() + CERTIFICATE_LIFETIME.multipliedBy(3).toNanos();
		while (delays.size() < 2 && System.nanoTime() < deadline) {
			sleep(50);
			X509Certificate seen = PresentedCertificate.of(replicaTarget, trust.trustManager(Set.of("compute")),
					client.keyManager());
			if (!seen.getSerialNumber().equals(current.getSerialNumber())) {
				Instant shown = Instant.now();
				delays.add(loggedAt(replica, seen.getSerialNumber().toString(16))
					.map((held) -> Duration.between(held, shown).toMillis() + " ms")
					.orElse("? (not in the log)"));
				current = seen;
			}
		}
		System.out.printf("renewed certificate in use (%d s certificates, renewed at two thirds of their life): first "
				+ "new connection shown it %s after the replica got it (probe every 50 ms)%n",
				CERTIFICATE_LIFETIME.toSeconds(), delays.isEmpty() ? "never, within three lifetimes" : delays);
	}

	/** When the process logged that it holds the certificate with this serial (its log's timestamps, UTC). */
	private static Optional<Instant> loggedAt(PlatformProcess process, String serial) {
		for (String line : process.log().split("\n")) {
			if (line.contains("Certificate for") && line.contains("(serial " + serial + ")")) {
				return Optional.of(Instant.parse(line.substring(0, line.indexOf(' '))));
			}
		}
		return Optional.empty();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}


}
