package dev.switchboard.router.proxy;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.google.common.util.concurrent.MoreExecutors;
import dev.switchboard.router.balancer.Replica;
import dev.switchboard.router.balancer.ReplicaSelector;
import dev.switchboard.router.table.GroupRoute;
import dev.switchboard.router.table.RoutingTable;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The router's fallback handler registry: every method the router does not serve itself is forwarded. Methods of
 * services some group serves are cached with their descriptor and meters; others get a one-off definition that
 * answers {@code NOT_FOUND}, so random method names cannot grow the cache.
 * <p>
 * Thread-safe. {@link #lookupMethod} and the call handler run on the caller's event loop and never block.
 */
public final class ProxyHandlerRegistry extends HandlerRegistry {

	private static final int MAX_CACHED_METHODS = 10_000;

	/** Upstream callbacks run on the event loop that delivers them, like the caller's. */
	private static final CallOptions UPSTREAM_OPTIONS = CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor());

	private final Map<String, ServerMethodDefinition<byte[], byte[]>> methods = new ConcurrentHashMap<>();

	private final Supplier<RoutingTable> table;

	private final CallRouter router;

	private final ForwardingContext context;

	private final MeterRegistry meters;

	/**
	 * @param table the routing table in force
	 * @param channels channels to replicas
	 * @param selector picks replicas
	 * @param budget bounds retries
	 * @param settings attempt and replay limits
	 * @param clock a nanosecond clock ({@code System::nanoTime})
	 * @param meters where call meters go
	 */
	public ProxyHandlerRegistry(Supplier<RoutingTable> table, ReplicaChannels channels, ReplicaSelector selector,
			RetryBudget budget, ProxySettings settings, LongSupplier clock, MeterRegistry meters) {
		this.table = Objects.requireNonNull(table, "table");
		this.router = new CallRouter(table);
		this.context = new ForwardingContext(channels, selector, budget, settings, clock);
		this.meters = Objects.requireNonNull(meters, "meters");
	}

	@Override
	public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
		ServerMethodDefinition<byte[], byte[]> cached = this.methods.get(fullMethodName);
		if (cached != null) {
			return cached;
		}
		ProxiedMethod method = new ProxiedMethod(fullMethodName, this.meters);
		ServerMethodDefinition<byte[], byte[]> definition = ServerMethodDefinition.create(method.descriptor(),
				new Handler(method));
		if (this.table.get().groupOf(method.serviceName()) != null && this.methods.size() < MAX_CACHED_METHODS) {
			ServerMethodDefinition<byte[], byte[]> raced = this.methods.putIfAbsent(fullMethodName, definition);
			return (raced != null) ? raced : definition;
		}
		return definition;
	}

	/** Starts one forwarded call. Runs on the caller's event loop within the call's context. */
	private final class Handler implements ServerCallHandler<byte[], byte[]> {

		private final ProxiedMethod method;

		Handler(ProxiedMethod method) {
			this.method = method;
		}

		@Override
		public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
			GroupRoute route;
			Replica replica;
			boolean designated;
			try {
				route = ProxyHandlerRegistry.this.router.route(this.method, headers);
				replica = ProxyHandlerRegistry.this.router.designated(route, headers);
				designated = replica != null;
				if (replica == null) {
					replica = ProxyHandlerRegistry.this.context.selector().select(route, null);
					if (replica == null) {
						throw CallRouter.noReplica(route);
					}
				}
			}
			catch (RouteException ex) {
				call.close(ex.status(), new Metadata());
				this.method.meters("none").record(ex.status().getCode(), 0);
				return new ServerCall.Listener<>() {
				};
			}
			HeaderFilter.strip(headers);
			CallOptions options = UPSTREAM_OPTIONS;
			Deadline deadline = Context.current().getDeadline();
			if (deadline != null) {
				options = options.withDeadline(deadline);
			}
			ForwardingCall forwarding = new ForwardingCall(call, this.method, headers, options, route, designated,
					ProxyHandlerRegistry.this.context);
			try {
				forwarding.start(replica);
			}
			catch (StatusRuntimeException ex) {
				// e.g. RESOURCE_EXHAUSTED from the connection manager's caps
				call.close(ex.getStatus(), new Metadata());
				return new ServerCall.Listener<>() {
				};
			}
			catch (RuntimeException ex) {
				call.close(Status.INTERNAL.withDescription("the router could not forward the call").withCause(ex),
						new Metadata());
				return new ServerCall.Listener<>() {
				};
			}
			return forwarding;
		}

	}

}
