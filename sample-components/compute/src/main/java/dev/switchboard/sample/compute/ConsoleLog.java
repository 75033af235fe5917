package dev.switchboard.sample.compute;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * The console output of one server: a boot log made up from what the server is (id, name, flavor, image, creation
 * time), the same bytes every time for the same server, read at any offset as if it repeated forever.
 * <p>
 * Immutable and thread-safe.
 */
final class ConsoleLog {

	/** The most bytes one StreamConsoleOutput call streams: 1 GiB. */
	static final long MAX_STREAM_BYTES = 1L << 30;

	/** The largest chunk: 1 MiB. */
	static final int MAX_CHUNK_SIZE = 1 << 20;

	/** The chunk size when the caller names none: 16 KiB. */
	static final int DEFAULT_CHUNK_SIZE = 16 * 1024;

	private final byte[] bootLog;

	private ConsoleLog(byte[] bootLog) {
		this.bootLog = bootLog;
	}

	/** Returns the console of {@code server}. */
	static ConsoleLog of(ServerRecord server) {
		Objects.requireNonNull(server, "server");
		return new ConsoleLog(bootLog(server).getBytes(StandardCharsets.UTF_8));
	}

	/** Returns the length of one boot log, the period of the repetition. */
	int length() {
		return this.bootLog.length;
	}

	/** Returns one boot log as text. */
	String text() {
		return new String(this.bootLog, StandardCharsets.UTF_8);
	}

	/** Fills {@code destination} with the bytes from {@code offset} on, wrapping around the boot log. */
	void copy(long offset, byte[] destination) {
		if (offset < 0) {
			throw new IllegalArgumentException("offset must not be negative: " + offset);
		}
		int from = (int) (offset % this.bootLog.length);
		int filled = 0;
		while (filled < destination.length) {
			int run = Math.min(this.bootLog.length - from, destination.length - filled);
			System.arraycopy(this.bootLog, from, destination, filled, run);
			filled += run;
			from = 0;
		}
	}

	private static String bootLog(ServerRecord server) {
		byte[] digest = sha256(server.id());
		Flavor flavor = Flavor.of(server.flavor());
		String address = "10.0." + (digest[0] & 0xff) + "." + (2 + (digest[1] & 0xff) % 252);
		String mac = String.format("fa:16:3e:%02x:%02x:%02x", digest[2], digest[3], digest[4]);
		String fingerprint = Base64.getEncoder().withoutPadding().encodeToString(sha256("host-key:" + server.id()));
		String name = server.name();
		Lines log = new Lines(server.createdAt(), name);
		log.kernel(0, "Linux version 6.8.0-45-generic (buildd@switchboard) (gcc 13.2.0) #45-Ubuntu SMP PREEMPT_DYNAMIC");
		log.kernel(0, "Command line: BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=LABEL=cloudimg-rootfs ro console=ttyS0");
		log.kernel(1, "BIOS-provided physical RAM map: usable " + flavor.memoryMiB + " MiB");
		log.kernel(2, "DMI: OpenStack Foundation OpenStack Nova, BIOS 1.16.3 04/01/2014");
		log.kernel(3, "Hypervisor detected: KVM");
		log.kernel(4, "smpboot: Allowing " + flavor.vcpus + " CPUs, 0 hotplug CPUs");
		log.kernel(9, "Memory: " + (flavor.memoryMiB * 1024 - 61_440) + "K/" + (flavor.memoryMiB * 1024) + "K available");
		log.kernel(41, "virtio_blk virtio2: [vda] " + (flavor.diskGiB * 2_097_152L) + " 512-byte logical blocks ("
				+ flavor.diskGiB + " GiB)");
		log.kernel(43, "virtio_net virtio1 eth0: renamed from ens3, MAC " + mac);
		log.kernel(388, "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.");
		log.line(512, "systemd[1]", "systemd 255.4-1ubuntu8 running in system mode");
		log.line(514, "systemd[1]", "Detected virtualization kvm.");
		log.line(515, "systemd[1]", "Hostname set to <" + name + ">.");
		log.line(1_204, "cloud-init[612]", "Cloud-init v. 24.1.3 running 'init-local' at " + log.at(1_204) + ".");
		log.line(2_031, "cloud-init[688]", "ci-info: | eth0 | True | " + address + " | 255.255.255.0 | global | " + mac
				+ " |");
		log.line(2_040, "cloud-init[688]", "ci-info: instance " + server.id() + " flavor " + server.flavor()
				+ " image " + server.image());
		log.line(2_613, "sshd[801]", "Server listening on 0.0.0.0 port 22.");
		log.line(2_614, "cloud-init[843]", "SHA256:" + fingerprint + " root@" + name + " (ED25519)");
		log.line(2_877, "cloud-init[843]", "Cloud-init v. 24.1.3 finished. Datasource DataSourceOpenStackLocal. Up "
				+ "2.88 seconds");
		log.line(2_901, "agetty[905]", server.image() + " " + name + " ttyS0");
		log.line(2_902, "agetty[905]", name + " login:");
		return log.toString();
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every JDK has SHA-256", ex);
		}
	}

	/** Log lines stamped with the time since the server was created, as a serial console logger would. */
	private static final class Lines {

		private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
			.withZone(ZoneOffset.UTC);

		private final StringBuilder text = new StringBuilder(4096);

		private final Instant start;

		private final String host;

		Lines(Instant start, String host) {
			this.start = start.truncatedTo(ChronoUnit.MILLIS);
			this.host = host;
		}

		String at(long millis) {
			return STAMP.format(this.start.plusMillis(millis));
		}

		void kernel(long millis, String message) {
			line(millis, "kernel", String.format("[%5d.%06d] %s", millis / 1000, (millis % 1000) * 1000, message));
		}

		void line(long millis, String source, String message) {
			this.text.append(at(millis)).append(' ').append(this.host).append(' ').append(source).append(": ")
				.append(message).append('\n');
		}

		@Override
		public String toString() {
			return this.text.toString();
		}

	}

	/** What a flavor name stands for; names this sample does not know get the smallest machine. */
	private record Flavor(int vcpus, int memoryMiB, int diskGiB) {

		static Flavor of(String name) {
			return switch (name) {
				case "m1.tiny" -> new Flavor(1, 512, 1);
				case "m1.small" -> new Flavor(1, 2048, 20);
				case "m1.medium" -> new Flavor(2, 4096, 40);
				case "m1.large" -> new Flavor(4, 8192, 80);
				case "m1.xlarge" -> new Flavor(8, 16384, 160);
				default -> new Flavor(1, 1024, 10);
			};
		}

	}

}
