package dev.switchboard.client.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.connection.AddressList;
import dev.switchboard.client.connection.ClientConnectionManager;
import dev.switchboard.client.grpc.Backoff;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the auth service whether a token allows an action, and remembers the answer: per token (for no longer than
 * the token lives), then per action. A remembered answer is used as is for at most {@code maxAge}; after that the
 * auth service is asked again, and only when no replica can answer does an allowed decision keep serving, until its
 * token expires. Revocations pushed by the auth service drop the decisions of the revoked token or client at once.
 * New answers are remembered only while that push stream is open. When it breaks (its auth replica died, say), the
 * decisions already remembered keep serving for up to {@code resumeGrace} while the stream moves to another replica,
 * which resumes after the last event seen and sends what was missed; if no replica can resume within that time, or
 * the one that answers cannot tell everything since, every decision is dropped and each call asks again.
 * <p>
 * Thread-safe. {@link #cached} is allocation-free and never blocks; {@link #authorize} asks the auth group
 * asynchronously, over one channel that spans its replicas ({@link #publishReplicas}): gRPC spreads the questions,
 * asks another replica when one is slow or gone, and moves the revocation stream.
 */
public final class CachingAuthorizer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(CachingAuthorizer.class);

	/** How long a refusal of an unknown or bad token is remembered, so a bad client cannot hammer the auth service. */
	private static final Duration REFUSAL_AGE = Duration.ofSeconds(5);

	/** The auth group, and the service its connections are counted under. */
	private static final String SERVICE = "auth";

	/**
	 * The service config of the channel over the auth group's replicas ({@link #publishReplicas}): round_robin
	 * spreads questions over the replicas it reaches; an {@code Authorize} not answered within half a second, or
	 * failed {@code UNAVAILABLE}, is asked again, of the next replica (three at most, the first answer wins: a
	 * question changes nothing); the revocation stream, when its replica fails before answering, opens on the next.
	 */
	private static final Map<String, ?> SERVICE_CONFIG = Map.of("loadBalancingConfig",
			List.of(Map.of("round_robin", Map.of())), "methodConfig",
			List.of(Map.of("name", List.of(Map.of("service", AuthGrpc.SERVICE_NAME, "method", "Authorize")),
					"hedgingPolicy",
					Map.of("maxAttempts", 3.0, "hedgingDelay", "0.5s", "nonFatalStatusCodes", List.of("UNAVAILABLE"))),
					Map.of("name", List.of(Map.of("service", AuthGrpc.SERVICE_NAME, "method", "WatchRevocations")),
							"retryPolicy",
							Map.of("maxAttempts", 3.0, "initialBackoff", "0.05s", "maxBackoff", "0.5s",
									"backoffMultiplier", 2.0, "retryableStatusCodes", List.of("UNAVAILABLE")))));

	private final Supplier<Channel> channel;

	private final Duration maxAge;

	private final Duration timeout;

	private final Clock clock;

	private final Cache<String, TokenDecisions> decisions;

	private final AtomicLong revocations = new AtomicLong();

	/** The sequence of the newest revocation event seen on any stream; 0 before the first. */
	private final AtomicLong lastSequence = new AtomicLong();

	/** Whether a revocation stream ever opened, so that {@link #lastSequence} is a position to resume from. */
	private volatile boolean positioned;

	private final Duration resumeGrace;

	/** When the revocation stream broke ({@link System#nanoTime()}), or 0 while it flows or before it first opened. */
	private volatile long downSince;

	private volatile Context.@Nullable CancellableContext revocationStream;

	/**
	 * Whether revocations are being pushed right now. Only then are decisions remembered: without the push a
	 * revocation could go unnoticed for as long as a decision is kept.
	 */
	private volatile boolean revocationsFlowing;

	private volatile boolean closed;

	/**
	 * Publishes the auth replicas an authorizer asks, for a channel over them ({@link #over}); the caller keeps the
	 * list current (the UP replicas of group {@code auth} as its registry view shows them, then fallbacks) and closes
	 * it.
	 */
	public static AddressList publishReplicas(List<String> addresses) {
		return AddressList.publish(SERVICE, SERVICE_CONFIG, addresses);
	}

	/**
	 * An authorizer that asks {@code replicas} over the connection manager's channel to them, counted as one
	 * connection of service {@code auth} (whose certificate check the manager applies to each replica).
	 * @param maxAge the longest a decision is used without asking again, whatever the token's lifetime
	 * @param maxTokens how many tokens' decisions are kept
	 * @param timeout the deadline of each question, whichever replicas answer it
	 */
	public static CachingAuthorizer over(AddressList replicas, ClientConnectionManager manager, Duration maxAge,
			long maxTokens, Duration timeout) {
		Objects.requireNonNull(replicas, "replicas");
		Objects.requireNonNull(manager, "manager");
		return new CachingAuthorizer(() -> manager.acquire(SERVICE, replicas.target()).channel(), maxAge, maxTokens,
				timeout, Clock.systemUTC());
	}

	/**
	 * @param channel the channel over the auth group's replicas, from {@link #publishReplicas}; asked again for each
	 * call, so one the connection manager replaced is used
	 * @param maxAge the longest a decision is used without asking again, whatever the token's lifetime
	 * @param maxTokens how many tokens' decisions are kept
	 * @param timeout the deadline of each question, whichever replicas answer it
	 * @param clock tells when a token has expired
	 */
	public CachingAuthorizer(Supplier<Channel> channel, Duration maxAge, long maxTokens, Duration timeout,
			Clock clock) {
		this(channel, maxAge, maxTokens, timeout, Duration.ofSeconds(5), clock);
	}

	/**
	 * @param channel the channel over the auth group's replicas, from {@link #publishReplicas}; asked again for each
	 * call, so one the connection manager replaced is used
	 * @param maxAge the longest a decision is used without asking again, whatever the token's lifetime
	 * @param maxTokens how many tokens' decisions are kept
	 * @param timeout the deadline of each question, whichever replicas answer it
	 * @param resumeGrace how long remembered decisions keep serving while the revocation stream moves to another
	 * replica; a revocation made meanwhile takes effect when the stream resumes, at the latest after this long
	 * @param clock tells when a token has expired
	 */
	public CachingAuthorizer(Supplier<Channel> channel, Duration maxAge, long maxTokens, Duration timeout,
			Duration resumeGrace, Clock clock) {
		this.resumeGrace = Objects.requireNonNull(resumeGrace, "resumeGrace");
		this.channel = Objects.requireNonNull(channel, "channel");
		this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
		this.timeout = Objects.requireNonNull(timeout, "timeout");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.decisions = Caffeine.newBuilder().maximumSize(maxTokens).expireAfter(new Expiry<String, TokenDecisions>() {
			@Override
			public long expireAfterCreate(String key, TokenDecisions value, long currentTime) {
				return value.lifetimeNanos();
			}

			@Override
			public long expireAfterUpdate(String key, TokenDecisions value, long currentTime, long currentDuration) {
				return currentDuration;
			}

			@Override
			public long expireAfterRead(String key, TokenDecisions value, long currentTime, long currentDuration) {
				return currentDuration;
			}
		}).build();
	}

	/**
	 * Returns the remembered decision, or {@code null}: the per-call fast path. The lookup is quiet: it records no
	 * access, so a hit queues no work for the cache's maintenance thread (reads do not move an entry's expiry here,
	 * and size eviction, at {@code maxTokens} tokens, judges by what was added rather than by what was read).
	 */
	public @Nullable AuthDecision cached(String token, Action action) {
		TokenDecisions known = this.decisions.policy().getIfPresentQuietly(token);
		if (known == null) {
			return null;
		}
		Remembered remembered = known.byAction.get(action);
		return (remembered != null && System.nanoTime() - remembered.freshUntilNanos < 0) ? remembered.decision : null;
	}

	/**
	 * Returns the decision, asking the auth service when none is remembered. When no replica can answer, an allowed
	 * decision remembered earlier serves until its token expires (revocations still drop it). Never completes
	 * exceptionally.
	 */
	public CompletableFuture<AuthDecision> authorize(String token, Action action) {
		AuthDecision known = cached(token, action);
		if (known != null) {
			return CompletableFuture.completedFuture(known);
		}
		CompletableFuture<AuthDecision> result = new CompletableFuture<>();
		ask(token, action, result, this.revocations.get());
		return result.thenApply((decision) -> (decision.decision() == Decision.DECISION_UNSPECIFIED)
				? staleOr(token, action, decision) : decision);
	}

	/** An allowed decision remembered past {@code maxAge} whose token still lives, else {@code undecided}. */
	private AuthDecision staleOr(String token, Action action, AuthDecision undecided) {
		TokenDecisions known = this.decisions.getIfPresent(token);
		Remembered remembered = (known != null) ? known.byAction.get(action) : null;
		if (remembered != null && remembered.decision.allowed()
				&& remembered.decision.expiresAt().isAfter(this.clock.instant())) {
			return remembered.decision;
		}
		return undecided;
	}

	/** Returns the decision, blocking for at most the timeout. */
	public AuthDecision authorizeBlocking(String token, Action action) {
		return authorize(token, action).join();
	}

	/** Asks the auth group; gRPC picks the replica, and another when that one is slow or fails. */
	private void ask(String token, Action action, CompletableFuture<AuthDecision> result, long revocationsBefore) {
		AuthGrpc.AuthStub stub = AuthGrpc.newStub(this.channel.get())
			.withDeadlineAfter(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		AuthorizeRequest request = AuthorizeRequest.newBuilder().setToken(token).setAction(action.toString()).build();
		stub.authorize(request, new StreamObserver<>() {
			@Override
			public void onNext(AuthorizeResponse response) {
				AuthDecision decision = AuthDecision.of(response);
				// a revocation that arrived while asking may concern this very answer: use it, but do not keep it
				if (CachingAuthorizer.this.revocations.get() == revocationsBefore) {
					remember(token, action, decision);
				}
				result.complete(decision);
			}

			@Override
			public void onError(Throwable error) {
				Status status = Status.fromThrowable(error);
				if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
					result.complete(AuthDecision.unauthenticated(status.getDescription()));
					return;
				}
				logger.debug("No auth replica answered ({})", status);
				result.complete(AuthDecision.undecided("no auth replica could check the token"));
			}

			@Override
			public void onCompleted() {
			}
		});
	}

	private void remember(String token, Action action, AuthDecision decision) {
		if (!this.revocationsFlowing) {
			return;
		}
		Instant now = this.clock.instant();
		Duration lifetime = decision.allowed() || decision.decision() == Decision.PERMISSION_DENIED
				? Duration.between(now, decision.expiresAt()) : REFUSAL_AGE;
		if (lifetime.isNegative() || lifetime.isZero()) {
			return;
		}
		Duration fresh = (lifetime.compareTo(this.maxAge) > 0) ? this.maxAge : lifetime;
		this.decisions.asMap()
			.computeIfAbsent(token,
					(key) -> new TokenDecisions(decision.principal(), decision.tokenId(), lifetime.toNanos()))
			.byAction
			.put(action, new Remembered(decision, System.nanoTime() + fresh.toNanos()));
	}

	/** Drops what a revocation invalidates. */
	public void revoked(Revocation revocation) {
		this.revocations.incrementAndGet();
		switch (revocation.getSubjectCase()) {
			case TOKEN_ID -> this.decisions.asMap()
				.values()
				.removeIf((known) -> known.tokenId.equals(revocation.getTokenId()));
			case CLIENT_ID -> {
				if ("*".equals(revocation.getClientId())) {
					this.decisions.invalidateAll();
				}
				else {
					this.decisions.asMap()
						.values()
						.removeIf((known) -> known.principal.equals(revocation.getClientId()));
				}
			}
			default -> {
				// the opening event: nothing revoked
			}
		}
	}

	/** Returns how many tokens have decisions remembered. */
	public long size() {
		this.decisions.cleanUp();
		return this.decisions.estimatedSize();
	}

	/**
	 * Subscribes to the auth service's revocations, resubscribing on failure after a jittered backoff; any gap drops
	 * every remembered decision.
	 */
	public void watchRevocations(ScheduledExecutorService scheduler, Backoff backoff) {
		subscribe(scheduler, backoff);
	}

	private void subscribe(ScheduledExecutorService scheduler, Backoff backoff) {
		if (this.closed) {
			return;
		}
		Context.CancellableContext context = Context.ROOT.withCancellation();
		this.revocationStream = context;
		long resumeFrom = this.lastSequence.get();
		context.run(() -> {
			ClientCall<WatchRevocationsRequest, Revocation> call = this.channel.get()
				.newCall(AuthGrpc.getWatchRevocationsMethod(), CallOptions.DEFAULT);
			ClientCalls.asyncServerStreamingCall(call,
					WatchRevocationsRequest.newBuilder().setAfterSequence(resumeFrom).build(), new StreamObserver<>() {
						private boolean opened;

						@Override
						public void onNext(Revocation revocation) {
							if (!this.opened) {
								this.opened = true;
								backoff.reset();
								// an opening at the sequence last seen (0 too, when nothing was ever revoked) means
								// nothing was missed
								boolean resumed = CachingAuthorizer.this.positioned
										&& revocation.getSubjectCase() == Revocation.SubjectCase.SUBJECT_NOT_SET
										&& revocation.getSequence() == resumeFrom;
								CachingAuthorizer.this.positioned = true;
								if (!resumed) {
									// whatever was revoked while nobody listened is unknown: start clean
									CachingAuthorizer.this.decisions.invalidateAll();
								}
								CachingAuthorizer.this.downSince = 0;
								CachingAuthorizer.this.revocationsFlowing = true;
							}
							CachingAuthorizer.this.lastSequence.accumulateAndGet(revocation.getSequence(), Math::max);
							revoked(revocation);
						}

						@Override
						public void onError(Throwable error) {
							retry();
						}

						@Override
						public void onCompleted() {
							retry();
						}

						private void retry() {
							// no push, no new memory: a revocation now goes unseen until a stream resumes
							CachingAuthorizer.this.revocationsFlowing = false;
							dropUnlessResumed(scheduler);
							if (!CachingAuthorizer.this.closed) {
								scheduler.schedule(() -> subscribe(scheduler, backoff), backoff.next().toMillis(),
										TimeUnit.MILLISECONDS);
							}
						}
					});
		});
	}

	/**
	 * Drops every decision {@code resumeGrace} after the stream first broke, unless a stream resumed meanwhile; later
	 * failures to reconnect do not push that moment back.
	 */
	private void dropUnlessResumed(ScheduledExecutorService scheduler) {
		if (this.downSince != 0) {
			return;
		}
		long brokeAt = System.nanoTime() | 1;
		this.downSince = brokeAt;
		scheduler.schedule(() -> {
			if (!this.revocationsFlowing && this.downSince == brokeAt) {
				logger.warn("No auth replica resumed the revocation stream within {}; dropping every cached decision",
						this.resumeGrace);
				this.decisions.invalidateAll();
			}
		}, this.resumeGrace.toNanos(), TimeUnit.NANOSECONDS);
	}

	@Override
	public void close() {
		this.closed = true;
		Context.CancellableContext stream = this.revocationStream;
		if (stream != null) {
			stream.cancel(null);
		}
	}

	/** A decision, used as is until {@link System#nanoTime()} passes {@code freshUntilNanos}. */
	private record Remembered(AuthDecision decision, long freshUntilNanos) {
	}

	/** The decisions about one token. */
	private static final class TokenDecisions {

		private final String principal;

		private final String tokenId;

		private final long lifetimeNanos;

		private final Map<Action, Remembered> byAction = new ConcurrentHashMap<>(4);

		TokenDecisions(String principal, String tokenId, long lifetimeNanos) {
			this.principal = principal;
			this.tokenId = tokenId;
			this.lifetimeNanos = lifetimeNanos;
		}

		long lifetimeNanos() {
			return this.lifetimeNanos;
		}

	}

}
