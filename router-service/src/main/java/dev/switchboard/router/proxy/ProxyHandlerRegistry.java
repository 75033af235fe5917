package dev.switchboard.router.proxy;

import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.google.common.util.concurrent.MoreExecutors;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.auth.AuthDecision;
import dev.switchboard.client.auth.CachingAuthorizer;
import dev.switchboard.client.grpc.SwitchboardHeaders;
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
 * answers {@code NOT_FOUND}, so random method names cannot grow the cache, and share one meter (method
 * {@value #UNROUTED}), so they cannot grow the metrics either.
 * <p>
 * Thread-safe. {@link #lookupMethod} and the call handler run on the caller's event loop and never block.
 */
public final class ProxyHandlerRegistry extends HandlerRegistry {

	private static final int MAX_CACHED_METHODS = 10_000;

	/** The method tag of calls refused before any group was found for them. */
	static final String UNROUTED = "unrouted";

	/** Upstream callbacks run on the event loop that delivers them, like the caller's. */
	private static final CallOptions UPSTREAM_OPTIONS = CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor());

	private final Map<String, ServerMethodDefinition<byte[], InputStream>> methods = new ConcurrentHashMap<>();

	private final Supplier<RoutingTable> table;

	private final CallRouter router;

	private final ForwardingContext context;

	private final MeterRegistry meters;

	private final CachingAuthorizer authorizer;

	private final boolean forwardToken;

	private final PrincipalRateLimiter rateLimiter;

	private final CallMeters unrouted;

	/**
	 * @param table the routing table in force
	 * @param channels channels to replicas
	 * @param selector picks replicas
	 * @param budget bounds retries
	 * @param settings attempt and replay limits
	 * @param clock a nanosecond clock ({@code System::nanoTime})
	 * @param meters where call meters go
	 * @param authorizer decides whether a caller's token allows a call; {@code null} lets every call through
	 * @param forwardToken whether the caller's token reaches the component (its principal always does)
	 * @param rateLimiter limits each principal's calls once its token is authorized; {@code null} for no limit
	 */
	public ProxyHandlerRegistry(Supplier<RoutingTable> table, ReplicaChannels channels, ReplicaSelector selector,
			RetryBudget budget, ProxySettings settings, LongSupplier clock, MeterRegistry meters,
			CachingAuthorizer authorizer, boolean forwardToken, PrincipalRateLimiter rateLimiter) {
		this.table = Objects.requireNonNull(table, "table");
		this.router = new CallRouter(table);
		this.context = new ForwardingContext(channels, selector, budget, settings, clock);
		this.meters = Objects.requireNonNull(meters, "meters");
		this.authorizer = authorizer;
		this.forwardToken = forwardToken;
		this.rateLimiter = rateLimiter;
		this.unrouted = new CallMeters(meters, "none", UNROUTED);
	}

	@Override
	public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
		ServerMethodDefinition<byte[], InputStream> cached = this.methods.get(fullMethodName);
		if (cached != null) {
			return cached;
		}
		ProxiedMethod method = new ProxiedMethod(fullMethodName, this.meters);
		ServerMethodDefinition<byte[], InputStream> definition = ServerMethodDefinition.create(method.descriptor(),
				new Handler(method));
		if (this.table.get().groupOf(method.serviceName()) != null && this.methods.size() < MAX_CACHED_METHODS) {
			ServerMethodDefinition<byte[], InputStream> raced = this.methods.putIfAbsent(fullMethodName, definition);
			return (raced != null) ? raced : definition;
		}
		return definition;
	}

	/**
	 * Starts one forwarded call: route, authorization (from the cache, or asked asynchronously while the call waits),
	 * the principal's rate limit, then forwarding. Runs on the caller's event loop within the call's context and never
	 * blocks.
	 */
	private static final AuthDecision NO_TOKEN = AuthDecision
		.unauthenticated("no bearer token in the authorization header");

	private final class Handler implements ServerCallHandler<byte[], InputStream> {

		private final ProxiedMethod method;

		Handler(ProxiedMethod method) {
			this.method = method;
		}

		@Override
		public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], InputStream> call, Metadata headers) {
			CachingAuthorizer authorizer = ProxyHandlerRegistry.this.authorizer;
			// the token is read once per call: a JWT is a kilobyte, copied out of the headers each time it is read
			String token = (authorizer != null) ? AuthDecision.bearerToken(headers.get(SwitchboardHeaders.AUTHORIZATION))
					: null;
			if (authorizer != null && token == null) {
				// a caller without a token learns nothing, not even which services exist
				Status status = NO_TOKEN.toStatus();
				call.close(status, new Metadata());
				ProxyHandlerRegistry.this.unrouted.record(status.getCode(), 0);
				return new ServerCall.Listener<>() {
				};
			}
			GroupRoute route;
			Replica designated;
			try {
				route = ProxyHandlerRegistry.this.router.route(this.method, headers);
				designated = ProxyHandlerRegistry.this.router.designated(route, headers);
			}
			catch (RouteException ex) {
				call.close(ex.status(), new Metadata());
				ProxyHandlerRegistry.this.unrouted.record(ex.status().getCode(), 0);
				return new ServerCall.Listener<>() {
				};
			}
			Deadline deadline = Context.current().getDeadline();
			if (authorizer == null) {
				return begin(call, headers, route, designated, deadline, null, null);
			}
			Action action = this.method.meters(route.group()).action();
			// the common case inline: a remembered decision starts (or refuses) the call with no listener in between
			AuthDecision known = authorizer.cached(token, action);
			if (known != null) {
				return known.allowed() ? begin(call, headers, route, designated, deadline, known.principal(), null)
						: refuse(call, known.toStatus(), route.group());
			}
			return AwaitingAuthorization.whenDecided(authorizer, token, action,
					(principal, attach) -> begin(call, headers, route, designated, deadline, principal, attach),
					(status) -> refuse(call, status, route.group()));
		}

		private ServerCall.Listener<byte[]> refuse(ServerCall<byte[], InputStream> call, Status status, String group) {
			call.close(status, new Metadata());
			this.method.meters(group).record(status.getCode(), 0);
			return new ServerCall.Listener<>() {
			};
		}

		/**
		 * Takes the call from the principal's rate limit, picks the replica and starts forwarding; {@code principal}
		 * is passed on when authorization ran, and {@code attach} (when not {@code null}) receives the forwarding
		 * listener before anything can call it.
		 */
		private ServerCall.Listener<byte[]> begin(ServerCall<byte[], InputStream> call, Metadata headers,
				GroupRoute route, Replica designated, Deadline deadline, String principal,
				Consumer<ServerCall.Listener<byte[]>> attach) {
			// once per call, streams included, and before a replica is picked: a limited call costs no replica
			// anything; without limits this is one null check
			PrincipalRateLimiter limiter = ProxyHandlerRegistry.this.rateLimiter;
			if (limiter != null && principal != null) {
				Status limited = limiter.admit(principal);
				if (limited != null) {
					return refuse(call, limited, route.group());
				}
			}
			Replica replica = designated;
			if (replica == null) {
				replica = ProxyHandlerRegistry.this.context.selector().select(route, null);
				if (replica == null) {
					return refuse(call, CallRouter.noReplica(route).status(), route.group());
				}
			}
			HeaderFilter.strip(headers);
			if (principal != null) {
				if (!ProxyHandlerRegistry.this.forwardToken) {
					headers.discardAll(SwitchboardHeaders.AUTHORIZATION);
				}
				headers.put(SwitchboardHeaders.PRINCIPAL, principal);
			}
			CallOptions options = (deadline != null) ? UPSTREAM_OPTIONS.withDeadline(deadline) : UPSTREAM_OPTIONS;
			ForwardingCall forwarding = new ForwardingCall(call, this.method, headers, options, route,
					designated != null, ProxyHandlerRegistry.this.context);
			if (attach != null) {
				attach.accept(forwarding);
			}
			try {
				forwarding.start(replica);
			}
			catch (StatusRuntimeException ex) {
				// e.g. RESOURCE_EXHAUSTED from the connection manager's caps
				return refuse(call, ex.getStatus(), route.group());
			}
			catch (RuntimeException ex) {
				return refuse(call,
						Status.INTERNAL.withDescription("the router could not forward the call").withCause(ex),
						route.group());
			}
			return forwarding;
		}

	}

}
