package dev.switchboard.bench.registry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.registry.v1.GetGroupRequest;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.RegisterRequest;
import dev.switchboard.registry.v1.RegisterResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Histogram;

/**
 * The registry's figures, each from one run against a registry jar started here:
 * <ol>
 * <li>status change delivered to a watcher: p50/p99 over 1,000 changes;</li>
 * <li>registrations per second, registering 2,000 simulated instances with 64 calls outstanding;</li>
 * <li>the same 2,000 instances heartbeating every second: registry CPU and heap, and whether any was evicted;</li>
 * <li>kill -9 of a real sample replica: seconds until marked DOWN and until evicted, median of 10.</li>
 * </ol>
 */
public final class RegistryBench {

	private static final int INSTANCES = 2_000;

	private static final int CHANGES = 1_000;

	private static final int KILLS = 10;

	private static final Duration HEARTBEAT_RUN = Duration.ofSeconds(20);

	private static final long CLOCK_TICKS_PER_SECOND = 100;

	private RegistryBench() {
	}

	/**
	 * Runs the named parts ({@code watch}, {@code load}, {@code kill}), or all when none is named.
	 */
	public static void run(java.util.Set<String> parts) throws Exception {
		int grpcPort = PlatformProcess.freePort();
		try (PlatformProcess registry = PlatformProcess.start("bench-registry", "registry-service",
				"registry-service", List.of("--spring.grpc.server.port=" + grpcPort,
						"--switchboard.registry.cluster.port=" + PlatformProcess.freePort(),
						"--switchboard.registry.auth.enabled=false", "--switchboard.identity.enabled=false"))) {
			registry.awaitHealthy(Duration.ofSeconds(90));
			ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
			try {
				System.out.println("== registry (1 replica, heartbeat 1 s, TTL 3 s) ==");
				if (parts.isEmpty() || parts.contains("watch")) {
					watchLatency(channel);
				}
				if (parts.isEmpty() || parts.contains("load")) {
					heartbeatLoad(channel, grpcPort, registry);
				}
				if (parts.isEmpty() || parts.contains("kill")) {
					killToEviction(grpcPort, channel);
				}
			}
			finally {
				channel.shutdownNow();
			}
		}
	}

	/** Toggles one instance in and out of service and times each change until the watcher has it. */
	private static void watchLatency(ManagedChannel channel) throws Exception {
		RegistryGrpc.RegistryBlockingStub registry = RegistryGrpc.newBlockingStub(channel);
		registry.register(request("watched", "watched-1", 1));
		// keep its lease alive for the whole run, as a real instance would
		ClientCallStreamObserver<HeartbeatRequest> heartbeat = openHeartbeat(channel, new AtomicInteger());
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		ticker.scheduleAtFixedRate(() -> heartbeat.onNext(HeartbeatRequest.newBuilder()
			.setGroup("watched")
			.setInstanceId("watched-1")
			.setStatus(InstanceStatus.UP)
			.build()), 0, 500, TimeUnit.MILLISECONDS);
		BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
		Context.CancellableContext context = Context.current().withCancellation();
		context.run(() -> RegistryGrpc.newStub(channel)
			.watch(WatchRequest.newBuilder().addGroups("watched").build(), collector(events)));
		events.take(); // the snapshot
		Histogram micros = new Histogram(3);
		for (int i = 0; i < CHANGES + 100; i++) {
			boolean out = (i % 2 == 0);
			long start = System.nanoTime();
			registry.setOutOfService(SetOutOfServiceRequest.newBuilder()
				.setInstanceId("watched-1")
				.setOutOfService(out)
				.build());
			WatchEvent event = events.poll(5, TimeUnit.SECONDS);
			long elapsed = System.nanoTime() - start;
			if (event == null) {
				throw new IllegalStateException("change " + i + " never reached the watcher");
			}
			if (i >= 100) { // the first 100 warm up
				micros.recordValue(elapsed / 1_000);
			}
		}
		context.cancel(null);
		ticker.shutdownNow();
		heartbeat.cancel("bench done", null);
		System.out.printf("status change -> watcher (SetOutOfService call + push, %d changes): p50 %.2f ms, p99 %.2f ms%n",
				CHANGES, micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0);
	}

	/** Registers 2,000 instances, then keeps them all heartbeating and reads the registry's CPU and heap. */
	private static void heartbeatLoad(ManagedChannel channel, int grpcPort, PlatformProcess registry)
			throws Exception {
		RegistryGrpc.RegistryStub async = RegistryGrpc.newStub(channel);
		// warm-up round, on another group, not timed
		registerAll(async, "warmup", 500);
		long start = System.nanoTime();
		registerAll(async, "load", INSTANCES);
		double seconds = (System.nanoTime() - start) / 1e9;
		System.out.printf("registrations: %d in %.2f s = %.0f registrations/s (64 outstanding)%n", INSTANCES, seconds,
				INSTANCES / seconds);

		List<ManagedChannel> channels = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
		}
		List<ClientCallStreamObserver<HeartbeatRequest>> streams = Collections.synchronizedList(new ArrayList<>());
		AtomicInteger failures = new AtomicInteger();
		for (int i = 0; i < INSTANCES; i++) {
			streams.add(openHeartbeat(channels.get(i % channels.size()), failures));
		}
		ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2);
		for (int i = 0; i < INSTANCES; i++) {
			int n = i;
			ticker.scheduleAtFixedRate(() -> {
				ClientCallStreamObserver<HeartbeatRequest> stream = streams.get(n);
				synchronized (stream) {
					stream.onNext(HeartbeatRequest.newBuilder()
						.setGroup("load")
						.setInstanceId("load-" + n)
						.setStatus(InstanceStatus.UP)
						.build());
				}
			}, (1000L * n) / INSTANCES, 1000, TimeUnit.MILLISECONDS);
		}
		Thread.sleep(5_000); // settle
		long cpuBefore = cpuTicks(registry.pid());
		long wallBefore = System.nanoTime();
		Thread.sleep(HEARTBEAT_RUN.toMillis());
		long cpuAfter = cpuTicks(registry.pid());
		double wall = (System.nanoTime() - wallBefore) / 1e9;
		double cpuCores = (cpuAfter - cpuBefore) / (double) CLOCK_TICKS_PER_SECOND / wall;
		int registered = RegistryGrpc.newBlockingStub(channel)
			.getGroup(GetGroupRequest.newBuilder().setName("load").build())
			.getInstancesCount();
		double heapMiB = prometheus(registry, "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024);
		System.out.printf("%d instances heartbeating every 1 s for %d s: registry CPU %.0f%% of one core, heap used %.0f MiB, "
				+ "instances still registered %d, heartbeat stream failures %d%n", INSTANCES, HEARTBEAT_RUN.toSeconds(),
				cpuCores * 100, heapMiB, registered, failures.get());
		ticker.shutdownNow();
		streams.forEach((stream) -> stream.cancel("bench done", null));
		channels.forEach(ManagedChannel::shutdownNow);
	}

	/** Starts real sample replicas, kills each with SIGKILL and times DOWN and eviction as a watcher sees them. */
	private static void killToEviction(int grpcPort, ManagedChannel channel) throws Exception {
		BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
		Context.CancellableContext context = Context.current().withCancellation();
		context.run(() -> RegistryGrpc.newStub(channel)
			.watch(WatchRequest.newBuilder().addGroups("compute").build(), collector(events)));
		List<Double> down = new ArrayList<>();
		List<Double> evicted = new ArrayList<>();
		for (int round = 0; round < KILLS / 5; round++) {
			List<PlatformProcess> replicas = new ArrayList<>();
			try {
				for (int i = 0; i < 5; i++) {
					replicas.add(PlatformProcess.start("bench-compute-" + (round * 5 + i), "sample-components/compute",
							"sample-compute",
							List.of("--spring.grpc.server.port=0", "--switchboard.component.host=127.0.0.1",
									"--switchboard.component.instance-id=bench-compute-" + (round * 5 + i),
									"--switchboard.component.registry.addresses=127.0.0.1:" + grpcPort,
									"--switchboard.identity.enabled=false")));
				}
				for (PlatformProcess replica : replicas) {
					replica.awaitHealthy(Duration.ofSeconds(120));
				}
				for (PlatformProcess replica : replicas) {
					awaitStatus(channel, replica.name(), InstanceStatus.UP);
					events.clear();
					long killed = System.nanoTime();
					replica.kill();
					double downAt = -1;
					while (true) {
						WatchEvent event = events.poll(15, TimeUnit.SECONDS);
						if (event == null) {
							throw new IllegalStateException(replica.name() + " was not evicted within 15 s");
						}
						double at = (System.nanoTime() - killed) / 1e9;
						if (event.hasUpdated() && event.getUpdated().getInstance().getInstanceId().equals(replica.name())
								&& event.getUpdated().getInstance().getStatus() == InstanceStatus.DOWN && downAt < 0) {
							downAt = at;
						}
						if (event.hasRemoved() && event.getRemoved().getInstance().getInstanceId().equals(replica.name())) {
							if (event.getRemoved().getReason() != RemovalReason.EVICTED) {
								throw new IllegalStateException(replica.name() + " removed as " + event.getRemoved().getReason());
							}
							down.add(downAt);
							evicted.add(at);
							break;
						}
					}
				}
			}
			finally {
				replicas.forEach(PlatformProcess::close);
			}
		}
		context.cancel(null);
		System.out.printf("kill -9 of a replica (median of %d): marked DOWN after %.2f s, evicted after %.2f s "
				+ "(min/max evicted %.2f/%.2f s)%n", evicted.size(), median(down), median(evicted),
				Collections.min(evicted), Collections.max(evicted));
	}

	private static void awaitStatus(ManagedChannel channel, String instanceId, InstanceStatus status)
			throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (System.nanoTime() < deadline) {
			try {
				boolean up = RegistryGrpc.newBlockingStub(channel)
					.getGroup(GetGroupRequest.newBuilder().setName("compute").build())
					.getInstancesList()
					.stream()
					.anyMatch((i) -> i.getInstanceId().equals(instanceId) && i.getStatus() == status);
				if (up) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// not registered yet
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException(instanceId + " never became " + status);
	}

	private static void registerAll(RegistryGrpc.RegistryStub async, String group, int count) throws Exception {
		Semaphore outstanding = new Semaphore(64);
		CountDownLatch done = new CountDownLatch(count);
		AtomicInteger failed = new AtomicInteger();
		for (int i = 0; i < count; i++) {
			outstanding.acquire();
			async.register(request(group, group + "-" + i, 10_000 + (i % 50_000)), new StreamObserver<>() {

				@Override
				public void onNext(RegisterResponse value) {
				}

				@Override
				public void onError(Throwable t) {
					failed.incrementAndGet();
					outstanding.release();
					done.countDown();
				}

				@Override
				public void onCompleted() {
					outstanding.release();
					done.countDown();
				}
			});
		}
		done.await();
		if (failed.get() > 0) {
			throw new IllegalStateException(failed.get() + " registrations failed");
		}
	}

	private static ClientCallStreamObserver<HeartbeatRequest> openHeartbeat(ManagedChannel channel,
			AtomicInteger failures) {
		ClientCallStreamObserver<HeartbeatRequest>[] holder = new ClientCallStreamObserver[1];
		RegistryGrpc.newStub(channel).heartbeat(new ClientResponseObserver<HeartbeatRequest, HeartbeatResponse>() {

			@Override
			public void beforeStart(ClientCallStreamObserver<HeartbeatRequest> requests) {
				holder[0] = requests;
			}

			@Override
			public void onNext(HeartbeatResponse value) {
			}

			@Override
			public void onError(Throwable t) {
				failures.incrementAndGet();
			}

			@Override
			public void onCompleted() {
			}
		});
		return holder[0];
	}

	private static RegisterRequest request(String group, String instanceId, int port) {
		return RegisterRequest.newBuilder()
			.setGroup(group)
			.setInstanceId(instanceId)
			.setHost("127.0.0.1")
			.setPort(port)
			.addServices("bench." + group + ".v1.Service")
			.setStatus(InstanceStatus.UP)
			.build();
	}

	private static StreamObserver<WatchEvent> collector(BlockingQueue<WatchEvent> events) {
		return new StreamObserver<>() {

			@Override
			public void onNext(WatchEvent value) {
				events.add(value);
			}

			@Override
			public void onError(Throwable t) {
			}

			@Override
			public void onCompleted() {
			}
		};
	}

	/** User plus system CPU time of a process, in clock ticks, from /proc. */
	private static long cpuTicks(long pid) throws Exception {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	/** Sums the Prometheus samples of {@code name} whose labels contain {@code label}. */
	private static double prometheus(PlatformProcess process, String name, String label) throws Exception {
		String auth = Base64.getEncoder()
			.encodeToString(("admin:" + PlatformProcess.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.httpPort() + "/actuator/prometheus"))
				.header("Authorization", "Basic " + auth)
				.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("/actuator/prometheus: HTTP " + response.statusCode());
		}
		double sum = 0;
		for (String line : response.body().split("\n")) {
			if (line.startsWith(name + "{") && line.contains(label)) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return sum;
	}

	private static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

}
