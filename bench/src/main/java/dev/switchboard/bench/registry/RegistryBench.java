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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import dev.switchboard.bench.platform.PlatformClients;
import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.SecuredPlatform;
import dev.switchboard.client.identity.IdentityChannelCredentials;
import dev.switchboard.launcher.topology.PlatformService;
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
import dev.switchboard.launcher.topology.PlatformClient;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Histogram;

/**
 * The registry's figures, each from one run against registry jars started here (one, or several clustered):
 * <ol>
 * <li>status change delivered to a watcher: p50/p99 over 1,000 changes;</li>
 * <li>registrations per second with nothing else going on (a cold round, then a warm one), and the CPU each cost the
 * registries and the load generator; then registering the simulated instances while those registered heartbeat;</li>
 * <li>the same instances heartbeating every second: registry CPU per heartbeat and heap, instances lost (expected vs
 * registered, lowest through the run and at the end), evictions and DOWN marks a watcher saw, heartbeat stream
 * failures by status, and status change to watcher p99 with {@code watchers} watchers of the loaded group;</li>
 * <li>with {@code failover} and two or more replicas: kill -9 of one replica under that load, its streams moved to the
 * others as a component's heartbeat session moves them, and whether any instance was evicted;</li>
 * <li>kill -9 of a real sample replica: seconds until marked DOWN and until evicted, median of 10.</li>
 * </ol>
 * Parameters among the parts: {@code instances=N} (default 2,000), {@code replicas=N} (default 1),
 * {@code watchers=N} (default 100), {@code seconds=N} (the measured load, default 20). The load runs on the platform
 * as users run it: auth on, every call over mutual TLS with certificates from the platform CA, per-client quotas (the
 * instances are compute's, their client's instance quota raised to hold them); {@code plain} runs it with auth off and
 * plaintext, which is what the registry itself costs. Watch latency and kill-to-eviction run on a plain registry.
 */
public final class RegistryBench {

	private static final int CHANGES = 1_000;

	private static final int KILLS = 10;

	private RegistryBench() {
	}

	/**
	 * Runs the named parts ({@code watch}, {@code load}, {@code failover}, {@code kill}), or all but
	 * {@code failover} when none is named, at the scale the {@code name=value} parts give.
	 */
	public static void run(java.util.Set<String> parts) throws Exception {
		Scale scale = Scale.of(parts);
		java.util.Set<String> named = new java.util.HashSet<>();
		parts.stream().filter((part) -> !part.contains("=")).forEach(named::add);
		boolean all = named.isEmpty() || named.equals(java.util.Set.of("plain"));
		if (all || named.contains("watch") || named.contains("kill")) {
			try (Registries registries = Registries.plain(1)) {
				registries.announce();
				if (all || named.contains("watch")) {
					watchLatency(registries.admin().get(0));
				}
				if (all || named.contains("kill")) {
					killToEviction(registries.ports().get(0), registries.admin().get(0));
				}
			}
		}
		if (all || named.contains("load") || named.contains("failover")) {
			try (Registries registries = named.contains("plain") ? Registries.plain(scale.replicas())
					: Registries.secured(scale.replicas(), scale.instances())) {
				registries.announce();
				new HeartbeatLoad(scale, registries.group(), registries.connect(), registries.ports(),
						registries.admin(), registries.replicas()).run(named.contains("failover"));
			}
		}
	}

	/**
	 * Registry replicas a run measures, and how the bench and the simulated instances reach them.
	 *
	 * @param replicas the processes
	 * @param ports their gRPC ports
	 * @param admin one connection per replica for the bench's own calls (listing, watching, out of service)
	 * @param connect opens a connection to a replica, by index, as the simulated instances connect; its callbacks run
	 * on the connection's event loop (they only count and open the next stream), so the load generator spends its
	 * share of the two cores on the calls rather than on handing each answer to another thread
	 * @param group the simulated instances' group
	 * @param description how calls are secured, for the heading
	 * @param platform what to stop after the run
	 */
	private record Registries(List<PlatformProcess> replicas, List<Integer> ports, List<ManagedChannel> admin,
			IntFunction<ManagedChannel> connect, String group, String description, AutoCloseable platform)
			implements AutoCloseable {

		/** Replicas with auth off and plaintext gRPC: what the registry itself costs. */
		static Registries plain(int count) {
			List<Integer> grpcPorts = new ArrayList<>();
			List<Integer> clusterPorts = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				grpcPorts.add(PlatformProcess.freePort());
				clusterPorts.add(PlatformProcess.freePort());
			}
			List<String> members = clusterPorts.stream().map((port) -> "127.0.0.1:" + port).toList();
			Map<String, String> environment = (count > 1) ? Map.of("SWITCHBOARD_REGISTRY_CLUSTER_SECRET",
					"bench-" + Long.toHexString(System.nanoTime()) + "-secret") : Map.of();
			List<PlatformProcess> started = new ArrayList<>();
			AutoCloseable stop = () -> started.forEach(PlatformProcess::close);
			try {
				for (int i = 0; i < count; i++) {
					List<String> arguments = new ArrayList<>(List.of("--spring.grpc.server.port=" + grpcPorts.get(i),
							"--switchboard.registry.cluster.port=" + clusterPorts.get(i),
							"--switchboard.registry.auth.enabled=false", "--switchboard.identity.enabled=false"));
					if (count > 1) {
						arguments.add("--switchboard.registry.cluster.members=" + String.join(",", members));
					}
					started.add(PlatformProcess.start("bench-registry-" + (i + 1), PlatformService.REGISTRY,
							PlatformProcess.REGISTRY_JVM, arguments, environment));
				}
				for (PlatformProcess registry : started) {
					registry.awaitHealthy(Duration.ofSeconds(120));
				}
			}
			catch (RuntimeException | Error ex) {
				started.forEach(PlatformProcess::close);
				throw ex;
			}
			IntFunction<ManagedChannel> connect = (replica) -> ManagedChannelBuilder
				.forAddress("127.0.0.1", grpcPorts.get(replica))
				.usePlaintext()
				.directExecutor()
				.build();
			List<ManagedChannel> admin = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				admin.add(ManagedChannelBuilder.forAddress("127.0.0.1", grpcPorts.get(i)).usePlaintext().build());
			}
			return new Registries(List.copyOf(started), grpcPorts, admin, connect, "load", "auth off, plaintext",
					stop);
		}

		/**
		 * Replicas as the platform runs them: auth on, every call over mutual TLS. The instances are compute's, with a
		 * compute certificate and token; the bench's own calls carry the admin's token. The per-client quota is raised
		 * to hold {@code instances} twice (the timed registrations and the load), the only setting changed.
		 */
		static Registries secured(int count, int instances) throws Exception {
			SecuredPlatform platform = SecuredPlatform.startRegistries("bench", count,
					List.of("--switchboard.registry.quotas.instances-per-client=" + (2 * instances + 1_000)),
					Duration.ofSeconds(120));
			try {
				ChannelCredentials credentials = new IdentityChannelCredentials(
						platform.identity("compute", "bench-load")).forGroup("registry");
				Metadata instanceToken = PlatformClients.bearer(platform.groupToken("compute"));
				Metadata adminToken = PlatformClients.bearer(platform.adminToken());
				List<Integer> ports = platform.registryPorts();
				List<ManagedChannel> admin = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					admin.add(Grpc.newChannelBuilder("127.0.0.1:" + ports.get(i), credentials)
						.intercept(MetadataUtils.newAttachHeadersInterceptor(adminToken))
						.build());
				}
				return new Registries(platform.registries(), ports, admin,
						(replica) -> Grpc.newChannelBuilder("127.0.0.1:" + ports.get(replica), credentials)
							.intercept(MetadataUtils.newAttachHeadersInterceptor(instanceToken))
							.directExecutor()
							.build(),
						"compute",
						"auth on, mutual TLS, per-client quotas", platform);
			}
			catch (Exception | Error ex) {
				platform.close();
				throw ex;
			}
		}

		void announce() {
			System.out.printf("== registry (%d replica%s, heartbeat 1 s, TTL 3 s, %s; pids %s) ==%n",
					this.replicas.size(), (this.replicas.size() > 1) ? "s" : "", this.description,
					this.replicas.stream().map((r) -> Long.toString(r.pid())).toList());
		}

		@Override
		public void close() throws Exception {
			this.admin.forEach(ManagedChannel::shutdownNow);
			this.platform.close();
		}

	}

	/**
	 * The scale of a run.
	 *
	 * @param instances simulated instances heartbeating
	 * @param replicas registry replicas in one cluster
	 * @param watchers Watch streams of the loaded group during the load, spread over the replicas
	 * @param seconds how long the load is measured
	 */
	record Scale(int instances, int replicas, int watchers, int seconds) {

		static Scale of(java.util.Set<String> parts) {
			Map<String, Integer> values = new java.util.HashMap<>();
			for (String part : parts) {
				int equals = part.indexOf('=');
				if (equals > 0) {
					values.put(part.substring(0, equals), Integer.parseInt(part.substring(equals + 1)));
				}
			}
			for (String name : values.keySet()) {
				if (!List.of("instances", "replicas", "watchers", "seconds").contains(name)) {
					throw new IllegalArgumentException("unknown registry parameter '" + name
							+ "'; known: instances, replicas, watchers, seconds");
				}
			}
			Scale scale = new Scale(values.getOrDefault("instances", 2_000), values.getOrDefault("replicas", 1),
					values.getOrDefault("watchers", 100), values.getOrDefault("seconds", 20));
			if (scale.instances < 1 || scale.replicas < 1 || scale.watchers < 1 || scale.seconds < 1) {
				throw new IllegalArgumentException("registry parameters must be positive: " + scale);
			}
			return scale;
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
					replicas.add(PlatformProcess.start("bench-compute-" + (round * 5 + i), PlatformService.COMPUTE,
							List.of("--spring.grpc.server.port=0", "--switchboard.component.host=127.0.0.1",
									"--switchboard.component.instance-id=bench-compute-" + (round * 5 + i),
									PlatformClient.registryArgument("127.0.0.1:" + grpcPort),
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

	/** Registers {@code count} instances of {@code group}, 64 calls outstanding, spread round-robin over the stubs. */
	/**
	 * Registers {@code count} instances of {@code group}, ids {@code <prefix>-<index>}, 64 calls outstanding, spread
	 * round-robin over the stubs; {@code registered} gets the index of each one registered, on a gRPC thread, as soon
	 * as it is.
	 */
	static void registerAll(List<RegistryGrpc.RegistryStub> stubs, String group, String prefix, int count,
			java.util.function.IntConsumer registered) throws Exception {
		Semaphore outstanding = new Semaphore(64);
		CountDownLatch done = new CountDownLatch(count);
		AtomicInteger failed = new AtomicInteger();
		AtomicReference<Status> firstFailure = new AtomicReference<>();
		for (int i = 0; i < count; i++) {
			outstanding.acquire();
			int index = i;
			stubs.get(i % stubs.size()).register(request(group, prefix + "-" + i, 10_000 + (i % 50_000)), new StreamObserver<>() {

				@Override
				public void onNext(RegisterResponse value) {
				}

				@Override
				public void onError(Throwable t) {
					if (failed.getAndIncrement() == 0) {
						firstFailure.set(Status.fromThrowable(t));
					}
					outstanding.release();
					done.countDown();
				}

				@Override
				public void onCompleted() {
					registered.accept(index);
					outstanding.release();
					done.countDown();
				}
			});
		}
		done.await();
		if (failed.get() > 0) {
			throw new IllegalStateException(failed.get() + " registrations failed, the first with " + firstFailure.get());
		}
	}

	static ClientCallStreamObserver<HeartbeatRequest> openHeartbeat(ManagedChannel channel,
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

	static RegisterRequest request(String group, String instanceId, int port) {
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

	/** Sums the Prometheus samples of {@code name} whose labels contain {@code label}. */
	static double prometheus(PlatformProcess process, String name, String label) throws Exception {
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
			if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
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
