package dev.switchboard.bench.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import dev.switchboard.bench.platform.PlatformProcess;
import dev.switchboard.bench.platform.ProcessStats;
import dev.switchboard.registry.v1.GroupSummary;
import dev.switchboard.registry.v1.HeartbeatRequest;
import dev.switchboard.registry.v1.HeartbeatResponse;
import dev.switchboard.registry.v1.Instance;
import dev.switchboard.registry.v1.InstanceStatus;
import dev.switchboard.registry.v1.ListGroupsRequest;
import dev.switchboard.registry.v1.RegisterResponse;
import dev.switchboard.registry.v1.RegistryGrpc;
import dev.switchboard.registry.v1.RemovalReason;
import dev.switchboard.registry.v1.SetOutOfServiceRequest;
import dev.switchboard.registry.v1.WatchEvent;
import dev.switchboard.registry.v1.WatchRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.HdrHistogram.Recorder;

/**
 * Simulated instances heartbeating every second against one or more registry replicas, as components do: each
 * stream on one replica, and when it breaks, reopened after a jittered backoff on the next replica (registering again
 * when the registry answers {@code NOT_FOUND}), as the component starter's heartbeat session does. Watchers of the
 * loaded group, spread over the replicas, time status changes made during the load and count what else they see.
 */
final class HeartbeatLoad {

	/** The id prefix of the registrations timed alone, before the load. */
	private static final String BURST = "burst";

	private static final int CHANNELS_PER_REPLICA = 8;

	private static final int SLOTS = 100;

	/** Status changes per second made during the load, each timed to every watcher. */
	private static final int CHANGES_PER_SECOND = 10;

	private final RegistryBench.Scale scale;

	/** The simulated instances' group. */
	private final String group;

	/** Opens a connection to a replica (by index) as the instances connect: their credentials, their token. */
	private final IntFunction<ManagedChannel> connect;

	private final List<Integer> grpcPorts;

	private final List<ManagedChannel> unary;

	private final List<PlatformProcess> registries;

	private final List<List<ManagedChannel>> streamChannels = new ArrayList<>();

	private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

	private final AtomicLong sent = new AtomicLong();

	private final AtomicInteger reconnected = new AtomicInteger();

	/** The start of each timed change, by {@code instanceId/forced}. */
	private final Map<String, Long> changes = new ConcurrentHashMap<>();

	private final Recorder latency = new Recorder(3);

	private final AtomicLong timedDeliveries = new AtomicLong();

	private final AtomicLong otherUpdates = new AtomicLong();

	private final AtomicLong downMarks = new AtomicLong();

	private final AtomicLong evictions = new AtomicLong();

	private final AtomicInteger watchersSynced = new AtomicInteger();

	private final AtomicInteger watcherFailures = new AtomicInteger();

	private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

	private Beater[] beaters;

	private volatile boolean timing;

	/**
	 * @param group the simulated instances' group
	 * @param connect opens a connection to a replica, by index, as the instances connect
	 * @param unary one connection per replica for the bench's own calls (listing, watching, out of service)
	 */
	HeartbeatLoad(RegistryBench.Scale scale, String group, IntFunction<ManagedChannel> connect,
			List<Integer> grpcPorts, List<ManagedChannel> unary, List<PlatformProcess> registries) {
		this.scale = scale;
		this.group = group;
		this.connect = connect;
		this.grpcPorts = grpcPorts;
		this.unary = unary;
		this.registries = registries;
	}

	void run(boolean failover) throws Exception {
		List<Context.CancellableContext> watches = new ArrayList<>();
		try {
			int instances = this.scale.instances();
			for (int replica = 0; replica < this.grpcPorts.size(); replica++) {
				List<ManagedChannel> channels = new ArrayList<>();
				for (int i = 0; i < CHANNELS_PER_REPLICA; i++) {
					channels.add(this.connect.apply(replica));
				}
				this.streamChannels.add(channels);
			}
			// registrations spread over connections as components' are, each its own: one connection's calls are
			// all framed by one event loop thread of the registry
			List<RegistryGrpc.RegistryStub> stubs = new ArrayList<>();
			for (int i = 0; i < CHANNELS_PER_REPLICA; i++) {
				for (List<ManagedChannel> channels : this.streamChannels) {
					stubs.add(RegistryGrpc.newStub(channels.get(i)));
				}
			}
			// the first round warms both JVMs up (their compilers' CPU counts in the first figure), the second is the
			// registry's rate
			burst(stubs, instances, "cold");
			burst(stubs, instances, "warm");
			this.beaters = new Beater[instances];
			for (int i = 0; i < instances; i++) {
				this.beaters[i] = new Beater(i, i % this.scale.replicas());
			}
			// every 10 ms a hundredth of the instances beats, so each beats once a second, evenly spread
			AtomicLong tick = new AtomicLong();
			this.scheduler.scheduleAtFixedRate(() -> {
				int slot = (int) (tick.getAndIncrement() % SLOTS);
				for (int i = slot; i < instances; i += SLOTS) {
					this.beaters[i].beat();
				}
			}, 0, 1000 / SLOTS, TimeUnit.MILLISECONDS);
			// each instance opens its heartbeat stream as soon as it is registered, as a component does: registering
			// them all first would leave the first ones silent for longer than the TTL
			long start = System.nanoTime();
			RegistryBench.registerAll(stubs, this.group, this.group, instances, (i) -> this.beaters[i].open());
			double seconds = (System.nanoTime() - start) / 1e9;
			System.out.printf("registrations: %d in %.2f s = %.0f registrations/s (64 outstanding, %d replica%s, "
					+ "each instance heartbeating from its registration on)%n", instances, seconds, instances / seconds,
					this.scale.replicas(), (this.scale.replicas() > 1) ? "s" : "");
			for (int i = 0; i < this.scale.watchers(); i++) {
				watches.add(watch(i % this.scale.replicas(), i == 0));
			}
			long settleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			Thread.sleep(5_000);
			while (this.watchersSynced.get() < this.scale.watchers() && System.nanoTime() < settleUntil) {
				Thread.sleep(100);
			}
			if (this.watchersSynced.get() < this.scale.watchers()) {
				System.out.printf("only %d of %d watchers got their snapshot within 60 s%n", this.watchersSynced.get(),
						this.scale.watchers());
			}
			Figures before = Figures.read(this);
			long sentBefore = this.sent.get();
			long downBefore = this.downMarks.get();
			long evictedBefore = this.evictions.get();
			int failuresBefore = failureCount();
			this.otherUpdates.set(0);
			this.latency.reset();
			this.timing = true;
			int lowest = Integer.MAX_VALUE;
			RegistryGrpc.RegistryBlockingStub admin = RegistryGrpc.newBlockingStub(this.unary.get(0));
			long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(this.scale.seconds());
			int change = 0;
			int refused = 0;
			long nextSample = 0;
			while (System.nanoTime() < end) {
				if (System.nanoTime() >= nextSample) {
					int now = registered(this.unary.get(0));
					lowest = (now >= 0) ? Math.min(lowest, now) : lowest;
					nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
				}
				// each changed instance goes out of service, then back in
				String instanceId = this.group + "-" + ((change / 2) * 7919L % instances);
				boolean out = (change % 2 == 0);
				this.changes.put(instanceId + "/" + out, System.nanoTime());
				try {
					admin.withDeadlineAfter(5, TimeUnit.SECONDS)
						.setOutOfService(SetOutOfServiceRequest.newBuilder()
							.setInstanceId(instanceId)
							.setOutOfService(out)
							.build());
					change++;
				}
				catch (RuntimeException ex) {
					// an instance already lost, counted as such below; the next change takes another
					refused++;
					change += 2 - (change % 2);
				}
				Thread.sleep(1000 / CHANGES_PER_SECOND);
			}
			this.timing = false;
			Figures after = Figures.read(this);
			lowest = Math.min(lowest, after.registered().get(0));
			double wall = (after.nanos() - before.nanos()) / 1e9;
			double cpu = after.cpuSeconds() - before.cpuSeconds();
			double beats = after.heartbeats() - before.heartbeats();
			var histogram = this.latency.getIntervalHistogram();
			System.out.printf("%d instances heartbeating every 1 s for %.0f s on %d replica%s: %.0f heartbeats/s received "
					+ "(%.0f/s sent), registry CPU %.0f%% of one core (%s), %.1f us CPU per heartbeat%n", instances,
					wall, this.scale.replicas(), (this.scale.replicas() > 1) ? "s" : "", beats / wall,
					(this.sent.get() - sentBefore) / wall, cpu / wall * 100, after.cpuPerReplica(before, wall),
					cpu / beats * 1e6);
			System.out.printf("registry heap used %s MiB, live after the last full collection %s%n",
					after.heapMiB(), after.liveMiB());
			System.out.printf("instances lost: %d (expected %d, registered at the end %s, lowest through the run %d); "
					+ "evicted %d, marked DOWN %d (as one watcher saw them); heartbeat stream failures %d (since the start: "
					+ "%s)%n",
					instances - Math.min(lowest, after.registered().get(0)), instances, after.registered(), lowest,
					this.evictions.get() - evictedBefore, this.downMarks.get() - downBefore,
					failureCount() - failuresBefore, failureSummary());
			System.out.printf("status change -> %d watchers under that load (SetOutOfService + push, %d changes, "
					+ "%d deliveries, %d refused): p50 %.2f ms, p99 %.2f ms, max %.2f ms; other Watch events one watcher got "
					+ "%d (renewals must make none)%n", this.scale.watchers(), change, histogram.getTotalCount(), refused,
					histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
					histogram.getMaxValue() / 1000.0, this.otherUpdates.get());
			if (failover && this.scale.replicas() > 1) {
				failover(instances);
			}
		}
		finally {
			this.scheduler.shutdownNow();
			watches.forEach((context) -> context.cancel(null));
			if (this.beaters != null) {
				for (Beater beater : this.beaters) {
					if (beater != null) {
						beater.close();
					}
				}
			}
			this.streamChannels.forEach((channels) -> channels.forEach(ManagedChannel::shutdownNow));
		}
	}

	/** Kills the last replica with SIGKILL and follows its streams to the others. */
	private void failover(int instances) throws Exception {
		int victim = this.registries.size() - 1;
		int moved = 0;
		for (Beater beater : this.beaters) {
			if (beater.replica == victim) {
				moved++;
			}
		}
		long evictedBefore = this.evictions.get();
		long downBefore = this.downMarks.get();
		int reconnectedBefore = this.reconnected.get();
		long killed = System.nanoTime();
		this.registries.get(victim).kill();
		// three TTLs: any instance the loss cost would have been evicted by then
		int lowest = Integer.MAX_VALUE;
		while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(10)) {
			lowest = Math.min(lowest, registered(this.unary.get(0)));
			Thread.sleep(500);
		}
		int registered = registered(this.unary.get(0));
		System.out.printf("kill -9 of replica %d holding %d streams: %d streams reopened on the others, evicted %d, "
				+ "marked DOWN %d, registered %d of %d (lowest %d) after 10 s%n", victim + 1, moved,
				this.reconnected.get() - reconnectedBefore, this.evictions.get() - evictedBefore,
				this.downMarks.get() - downBefore, registered, instances, Math.min(lowest, registered));
	}

	/**
	 * Registers {@code count} instances of another group with nothing else going on, as when a platform starts, and
	 * prints the rate and what each registration cost the registries and this load generator; then waits until the
	 * registries have evicted them all (none heartbeats), so the load that follows starts from an empty registry.
	 */
	private void burst(List<RegistryGrpc.RegistryStub> stubs, int count, String round) throws Exception {
		List<Long> self = List.of(ProcessHandle.current().pid());
		Figures before = Figures.read(this);
		double generatorBefore = ProcessStats.cpuSeconds(self);
		long start = System.nanoTime();
		RegistryBench.registerAll(stubs, this.group, BURST, count, (i) -> {
		});
		double seconds = (System.nanoTime() - start) / 1e9;
		Figures after = Figures.read(this);
		double generator = ProcessStats.cpuSeconds(self) - generatorBefore;
		System.out.printf("registrations alone, %s: %d in %.2f s = %.0f registrations/s (64 outstanding over %d "
				+ "connections); CPU per registration: registr%s %.0f us, load generator %.0f us%n", round, count, seconds,
				count / seconds, stubs.size(), (this.registries.size() > 1) ? "ies" : "y",
				(after.cpuSeconds() - before.cpuSeconds()) / count * 1e6, generator / count * 1e6);
		long evicting = System.nanoTime();
		long deadline = evicting + TimeUnit.SECONDS.toNanos(60);
		int left = registered(this.unary.get(0));
		while (left != 0 && System.nanoTime() < deadline) {
			Thread.sleep(200);
			left = registered(this.unary.get(0));
		}
		System.out.printf("  all %d evicted %.1f s after the last registration%s%n", count,
				(System.nanoTime() - evicting) / 1e9, (left == 0) ? "" : " (" + left + " still listed)");
	}

	/** The loaded group's instances as a replica lists them, or -1 when it does not answer within 10 s. */
	private int registered(ManagedChannel channel) {
		try {
			for (GroupSummary group : RegistryGrpc.newBlockingStub(channel)
				.withDeadlineAfter(10, TimeUnit.SECONDS)
				.listGroups(ListGroupsRequest.getDefaultInstance())
				.getGroupsList()) {
				if (group.getName().equals(this.group)) {
					return group.getInstances();
				}
			}
			return 0;
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Opens a watcher on {@code replica}; the {@code counting} one counts evictions and DOWN marks, so each counts
	 * once, not once per watcher.
	 */
	private Context.CancellableContext watch(int replica, boolean counting) {
		Context.CancellableContext context = Context.current().withCancellation();
		context.run(() -> RegistryGrpc.newStub(this.unary.get(replica))
			.watch(WatchRequest.newBuilder().addGroups(this.group).build(), new StreamObserver<>() {

				private boolean synced;

				@Override
				public void onNext(WatchEvent event) {
					long now = System.nanoTime();
					if (event.hasSnapshot()) {
						if (!event.getSnapshot().getMore() && !this.synced) {
							this.synced = true;
							HeartbeatLoad.this.watchersSynced.incrementAndGet();
						}
						return;
					}
					if (event.hasRemoved()) {
						if (counting && event.getRemoved().getReason() == RemovalReason.EVICTED) {
							HeartbeatLoad.this.evictions.incrementAndGet();
						}
						return;
					}
					Instance instance = event.getUpdated().getInstance();
					if (counting && instance.getStatus() == InstanceStatus.DOWN) {
						HeartbeatLoad.this.downMarks.incrementAndGet();
					}
					Long started = HeartbeatLoad.this.changes
						.get(instance.getInstanceId() + "/" + instance.getForcedOutOfService());
					if (started != null && HeartbeatLoad.this.timing) {
						HeartbeatLoad.this.latency.recordValue((now - started) / 1_000);
						HeartbeatLoad.this.timedDeliveries.incrementAndGet();
					}
					else if (started == null && counting) {
						HeartbeatLoad.this.otherUpdates.incrementAndGet();
					}
				}

				@Override
				public void onError(Throwable t) {
					HeartbeatLoad.this.watcherFailures.incrementAndGet();
				}

				@Override
				public void onCompleted() {
				}
			}));
		return context;
	}

	private int failureCount() {
		return this.failures.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	private String failureSummary() {
		Map<String, Integer> sorted = new TreeMap<>();
		this.failures.forEach((status, count) -> sorted.put(status, count.get()));
		return sorted.isEmpty() ? "" : sorted.toString();
	}

	/** One simulated instance's heartbeat stream; every method runs under its own lock. */
	private final class Beater {

		private final int index;

		private final HeartbeatRequest request;

		private int replica;

		private ClientCallStreamObserver<HeartbeatRequest> stream;

		private int attempts;

		private boolean closed;

		Beater(int index, int replica) {
			this.index = index;
			this.replica = replica;
			this.request = HeartbeatRequest.newBuilder()
				.setGroup(HeartbeatLoad.this.group)
				.setInstanceId(HeartbeatLoad.this.group + "-" + index)
				.setStatus(InstanceStatus.UP)
				.build();
		}

		synchronized void open() {
			if (this.closed) {
				return;
			}
			List<ManagedChannel> channels = HeartbeatLoad.this.streamChannels.get(this.replica);
			ClientCallStreamObserver<HeartbeatRequest>[] holder = new ClientCallStreamObserver[1];
			RegistryGrpc.newStub(channels.get(this.index % channels.size()))
				.heartbeat(new ClientResponseObserver<HeartbeatRequest, HeartbeatResponse>() {

					@Override
					public void beforeStart(ClientCallStreamObserver<HeartbeatRequest> requests) {
						holder[0] = requests;
					}

					@Override
					public void onNext(HeartbeatResponse value) {
						synchronized (Beater.this) {
							Beater.this.attempts = 0;
						}
					}

					@Override
					public void onError(Throwable error) {
						failed(holder[0], Status.fromThrowable(error));
					}

					@Override
					public void onCompleted() {
						failed(holder[0], Status.UNAVAILABLE.withDescription("stream closed"));
					}
				});
			this.stream = holder[0];
			beat();
		}

		synchronized void beat() {
			if (this.stream != null) {
				this.stream.onNext(this.request);
				HeartbeatLoad.this.sent.incrementAndGet();
			}
		}

		/** As the heartbeat session: drop the stream, wait 200 ms to 5 s with jitter, go on with the next replica. */
		private synchronized void failed(ClientCallStreamObserver<HeartbeatRequest> failed, Status status) {
			if (failed != this.stream || this.closed) {
				return;
			}
			// instance names replaced, so that failures group by cause
			String description = (status.getDescription() != null)
					? status.getDescription().replaceAll("'[^']*'", "'*'") : "";
			if (status.getCause() != null) {
				description += " (" + status.getCause().getClass().getSimpleName() + ")";
			}
			String key = status.getCode() + (description.isEmpty() ? ""
					: ": " + description.substring(0, Math.min(60, description.length())));
			HeartbeatLoad.this.failures.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
			this.stream.cancel("reconnecting", null);
			this.stream = null;
			boolean notFound = status.getCode() == Status.Code.NOT_FOUND;
			if (!notFound) {
				this.replica = (this.replica + 1) % HeartbeatLoad.this.grpcPorts.size();
			}
			long ceiling = Math.min(5_000, 200L << Math.min(this.attempts++, 5));
			long wait = notFound ? 0 : ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
			if (HeartbeatLoad.this.scheduler.isShutdown()) {
				return;
			}
			if (notFound) {
				// registered again without waiting on a scheduler thread, which the beats of every instance share
				List<ManagedChannel> channels = HeartbeatLoad.this.streamChannels.get(this.replica);
				String group = HeartbeatLoad.this.group;
				RegistryGrpc.newStub(channels.get(this.index % channels.size()))
					.withDeadlineAfter(5, TimeUnit.SECONDS)
					.register(RegistryBench.request(group, group + "-" + this.index, 10_000 + (this.index % 50_000)),
							new StreamObserver<>() {

								@Override
								public void onNext(RegisterResponse value) {
								}

								@Override
								public void onError(Throwable t) {
									// the reopened stream fails again and takes the next replica
									reopen();
								}

								@Override
								public void onCompleted() {
									reopen();
								}
							});
				return;
			}
			HeartbeatLoad.this.scheduler.schedule(this::reopen, wait, TimeUnit.MILLISECONDS);
		}

		private void reopen() {
			HeartbeatLoad.this.reconnected.incrementAndGet();
			open();
		}

		synchronized void close() {
			this.closed = true;
			if (this.stream != null) {
				this.stream.cancel("bench done", null);
				this.stream = null;
			}
		}

	}

	/** What the registries say at one moment. */
	private record Figures(long nanos, List<Double> cpu, double heartbeats, List<Double> heap, List<Double> live,
			List<Integer> registered) {

		static Figures read(HeartbeatLoad load) throws Exception {
			List<PlatformProcess> registries = load.registries;
			List<Double> cpu = new ArrayList<>();
			List<Double> heap = new ArrayList<>();
			List<Double> live = new ArrayList<>();
			List<Integer> registered = new ArrayList<>();
			double heartbeats = 0;
			long nanos = System.nanoTime();
			for (int i = 0; i < registries.size(); i++) {
				PlatformProcess registry = registries.get(i);
				if (!registry.isAlive()) {
					continue;
				}
				cpu.add(ProcessStats.cpuSeconds(List.of(registry.pid())));
				heartbeats += RegistryBench.prometheus(registry, "switchboard_registry_heartbeats_total", "");
				heap.add(RegistryBench.prometheus(registry, "jvm_memory_used_bytes", "area=\"heap\"") / (1 << 20));
				live.add(RegistryBench.prometheus(registry, "jvm_gc_live_data_size_bytes", "") / (1 << 20));
				registered.add(load.registered(load.unary.get(i)));
			}
			return new Figures(nanos, cpu, heartbeats, heap, live, registered);
		}

		double cpuSeconds() {
			return this.cpu.stream().mapToDouble(Double::doubleValue).sum();
		}

		String cpuPerReplica(Figures before, double wall) {
			List<String> each = new ArrayList<>();
			for (int i = 0; i < this.cpu.size(); i++) {
				each.add(String.format("%.0f%%", (this.cpu.get(i) - before.cpu.get(i)) / wall * 100));
			}
			return "per replica " + String.join(" / ", each);
		}

		String heapMiB() {
			return String.join(" / ", this.heap.stream().map((v) -> String.format("%.0f", v)).toList());
		}

		/** What the last full collection left, per replica; the serial collector reports none until its first. */
		String liveMiB() {
			return String.join(" / ",
					this.live.stream().map((v) -> (v > 0) ? String.format("%.0f MiB", v) : "n/a (no full collection yet)")
						.toList());
		}

	}

}
