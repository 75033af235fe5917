package dev.switchboard.auth.grpc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

import dev.switchboard.auth.client.ClientIds;
import dev.switchboard.auth.client.ClientStore;
import dev.switchboard.auth.client.CreatedClient;
import dev.switchboard.auth.decision.Authorizer;
import dev.switchboard.auth.decision.InvalidTokenException;
import dev.switchboard.auth.decision.TokenVerifier;
import dev.switchboard.auth.decision.VerifiedToken;
import dev.switchboard.auth.revocation.RevocationHub;
import dev.switchboard.auth.revocation.RevocationStore;
import dev.switchboard.auth.v1.AuthGrpc;
import dev.switchboard.auth.v1.AuthorizeRequest;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.Client;
import dev.switchboard.auth.v1.CreateClientRequest;
import dev.switchboard.auth.v1.CreateClientResponse;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.GrantRequest;
import dev.switchboard.auth.v1.ListClientsRequest;
import dev.switchboard.auth.v1.ListClientsResponse;
import dev.switchboard.auth.v1.Revocation;
import dev.switchboard.auth.v1.RevokeTokenRequest;
import dev.switchboard.auth.v1.RevokeTokenResponse;
import dev.switchboard.auth.v1.RotateSecretRequest;
import dev.switchboard.auth.v1.RotateSecretResponse;
import dev.switchboard.auth.v1.SetClientEnabledRequest;
import dev.switchboard.auth.v1.WatchRevocationsRequest;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code switchboard.auth.v1.Auth} service.
 * <p>
 * {@code Authorize} answers every token with a decision and never fails for a bad one; only a malformed action is an
 * error ({@code INVALID_ARGUMENT}). {@code WatchRevocations} is served by the {@link RevocationHub}. The admin methods
 * first check the caller's own bearer token for the {@code admin} grant ({@code UNAUTHENTICATED} /
 * {@code PERMISSION_DENIED}). Refusals are thrown as {@link RefusalException} and mapped by
 * {@link ServiceExceptionHandler}. Methods block on the database (and on secret hashing for CreateClient and
 * RotateSecret), so they run on gRPC's application executor, never on a transport thread.
 */
public final class AuthGrpcService implements AuthGrpc.AsyncService, BindableService {

	private static final Logger logger = LoggerFactory.getLogger(AuthGrpcService.class);

	private static final int MAX_TOKEN_ID_LENGTH = 128;

	/** The most events a resuming revocation stream is sent; a caller further behind starts afresh. */
	private static final int MAX_REPLAYED_EVENTS = 10_000;

	private final Authorizer authorizer;

	private final TokenVerifier verifier;

	private final ClientStore clients;

	private final RevocationStore revocations;

	private final RevocationHub hub;

	private final Duration tokenLifetime;

	private final ServiceExceptionHandler exceptions;

	private final Clock clock;

	/**
	 * @param tokenLifetime how long tokens live, which bounds how long a revocation by token id must be kept
	 */
	public AuthGrpcService(Authorizer authorizer, TokenVerifier verifier, ClientStore clients,
			RevocationStore revocations, RevocationHub hub, Duration tokenLifetime, ServiceExceptionHandler exceptions,
			Clock clock) {
		this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
		this.verifier = Objects.requireNonNull(verifier, "verifier");
		this.clients = Objects.requireNonNull(clients, "clients");
		this.revocations = Objects.requireNonNull(revocations, "revocations");
		this.hub = Objects.requireNonNull(hub, "hub");
		this.tokenLifetime = Objects.requireNonNull(tokenLifetime, "tokenLifetime");
		this.exceptions = Objects.requireNonNull(exceptions, "exceptions");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Binds the service with the interceptor that hands the caller's token to the admin methods. */
	@Override
	public ServerServiceDefinition bindService() {
		return ServerInterceptors.intercept(AuthGrpc.bindService(this), new CallerToken());
	}

	@Override
	public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
		answer(responses, () -> this.authorizer.authorize(request.getToken(), Action.parse(request.getAction())));
	}

	@Override
	public void watchRevocations(WatchRevocationsRequest request, StreamObserver<Revocation> responses) {
		// a caller that switched from another replica resumes where it was, when every event since is still kept
		this.hub.subscribe((ServerCallStreamObserver<Revocation>) responses, request.getAfterSequence(),
				(sequence) -> this.revocations.everyEventAfter(sequence, MAX_REPLAYED_EVENTS));
	}

	@Override
	public void createClient(CreateClientRequest request, StreamObserver<CreateClientResponse> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			CreatedClient created = this.clients.create(request.getClientId(), request.getDescription(),
					request.getGrantsList());
			logger.info("Client '{}' created by '{}' with grants {}", created.client().clientId(), admin,
					created.client().grants());
			return CreateClientResponse.newBuilder()
				.setClient(created.client().toProto())
				.setClientSecret(created.secret())
				.build();
		});
	}

	@Override
	public void listClients(ListClientsRequest request, StreamObserver<ListClientsResponse> responses) {
		answer(responses, () -> {
			requireAdmin();
			ListClientsResponse.Builder list = ListClientsResponse.newBuilder();
			this.clients.list().forEach((client) -> list.addClients(client.toProto()));
			return list.build();
		});
	}

	@Override
	public void setClientEnabled(SetClientEnabledRequest request, StreamObserver<Client> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			Client client = this.clients.setEnabled(ClientIds.validate(request.getClientId()), request.getEnabled())
				.toProto();
			logger.info("Client '{}' {} by '{}'", client.getClientId(), request.getEnabled() ? "enabled" : "disabled",
					admin);
			return client;
		});
	}

	@Override
	public void addGrant(GrantRequest request, StreamObserver<Client> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			Client client = this.clients.addGrant(ClientIds.validate(request.getClientId()), request.getGrant())
				.toProto();
			logger.info("Grant '{}' added to client '{}' by '{}'", request.getGrant(), client.getClientId(), admin);
			return client;
		});
	}

	@Override
	public void removeGrant(GrantRequest request, StreamObserver<Client> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			Client client = this.clients.removeGrant(ClientIds.validate(request.getClientId()), request.getGrant())
				.toProto();
			logger.info("Grant '{}' removed from client '{}' by '{}'", request.getGrant(), client.getClientId(),
					admin);
			return client;
		});
	}

	@Override
	public void rotateSecret(RotateSecretRequest request, StreamObserver<RotateSecretResponse> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			String secret = this.clients.rotateSecret(ClientIds.validate(request.getClientId()));
			logger.info("Secret of client '{}' rotated by '{}'", request.getClientId(), admin);
			return RotateSecretResponse.newBuilder().setClientSecret(secret).build();
		});
	}

	@Override
	public void revokeToken(RevokeTokenRequest request, StreamObserver<RevokeTokenResponse> responses) {
		answer(responses, () -> {
			String admin = requireAdmin();
			String tokenId;
			Instant expiresAt;
			switch (request.getSubjectCase()) {
				case TOKEN -> {
					VerifiedToken token = ownToken(request.getToken());
					tokenId = token.tokenId();
					expiresAt = token.expiresAt();
				}
				case TOKEN_ID -> {
					tokenId = tokenId(request.getTokenId());
					// the token is unknown: keep the revocation as long as any token can live
					expiresAt = this.clock.instant().plus(this.tokenLifetime).plusSeconds(60);
				}
				default -> throw RefusalException.invalidArgument("name the token to revoke: token or token_id");
			}
			boolean revoked = this.revocations.revokeToken(tokenId, expiresAt);
			logger.info("Token '{}' {} by '{}'", tokenId, revoked ? "revoked" : "was already revoked; asked again",
					admin);
			return RevokeTokenResponse.newBuilder().setTokenId(tokenId).build();
		});
	}

	/** Returns the claims of a token this service signed, expired or not. */
	private VerifiedToken ownToken(String token) {
		try {
			return this.verifier.verify(token);
		}
		catch (InvalidTokenException ex) {
			if (ex.token() != null) {
				return ex.token();
			}
			throw RefusalException.invalidArgument("cannot revoke that token: " + ex.getMessage());
		}
	}

	private static String tokenId(String tokenId) {
		if (tokenId.isEmpty()) {
			throw RefusalException.invalidArgument("token_id is empty");
		}
		if (tokenId.length() > MAX_TOKEN_ID_LENGTH || !tokenId.chars().allMatch((c) -> c > 0x20 && c < 0x7f)) {
			throw RefusalException.invalidArgument(
					"token_id must be 1-" + MAX_TOKEN_ID_LENGTH + " printable ASCII characters");
		}
		return tokenId;
	}

	/** Checks that the caller's own token holds {@code admin}; returns the caller's client id. */
	private String requireAdmin() {
		String token = CallerToken.current();
		if (token == null) {
			throw RefusalException.unauthenticated("missing 'authorization: Bearer <token>' metadata");
		}
		AuthorizeResponse decision = this.authorizer.authorize(token, Action.admin());
		if (decision.getDecision() == Decision.UNAUTHENTICATED) {
			throw RefusalException.unauthenticated(decision.getReason());
		}
		if (decision.getDecision() != Decision.ALLOWED) {
			throw RefusalException.permissionDenied("client '" + decision.getPrincipal() + "' has no admin grant");
		}
		return decision.getPrincipal();
	}

	/** Sends the one answer of a unary call, or the status its failure maps to. */
	private <T> void answer(StreamObserver<T> responses, Supplier<T> call) {
		this.exceptions.reply(responses, call);
	}

}
