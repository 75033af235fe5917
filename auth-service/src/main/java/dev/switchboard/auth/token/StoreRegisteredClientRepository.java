package dev.switchboard.auth.token;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.switchboard.auth.client.ClientIds;
import dev.switchboard.auth.client.ClientRecord;
import dev.switchboard.auth.client.ClientStore;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Spring Authorization Server's view of the clients in the {@code clients} table.
 * <p>
 * Why not SAS's own {@code JdbcRegisteredClientRepository}: its schema stores a client as serialized settings
 * documents, while the auth service needs queryable columns (enabled, {@code tokens_not_before}, one row per grant)
 * that the Authorize path reads on every cache miss and that other replicas change concurrently. Every client here is
 * the same kind of OAuth2 client: client credentials grant, {@code client_secret_basic} or {@code client_secret_post},
 * self-contained (JWT) access tokens living {@code tokenLifetime}. Disabled and unknown clients are not found, so SAS
 * answers {@code invalid_client}. Clients are read from the database on every lookup, never cached, so a secret
 * rotated or a client disabled on another replica takes effect at once. Thread-safe; blocks on the database.
 */
public final class StoreRegisteredClientRepository implements RegisteredClientRepository {

	/** Client setting carrying the client's current grants (a {@code List<String>}) to the token customizer. */
	static final String GRANTS_SETTING = "switchboard.grants";

	/** Client setting carrying the client's {@code tokens_not_before} (an {@code Instant}) to the token customizer. */
	static final String TOKENS_NOT_BEFORE_SETTING = "switchboard.tokens-not-before";

	private final ClientStore clients;

	private final Duration tokenLifetime;

	public StoreRegisteredClientRepository(ClientStore clients, Duration tokenLifetime) {
		this.clients = Objects.requireNonNull(clients, "clients");
		this.tokenLifetime = Objects.requireNonNull(tokenLifetime, "tokenLifetime");
	}

	/**
	 * Only stores a re-encoded secret (SAS upgrades outdated hashes after a successful login); clients are created
	 * through the Auth admin API.
	 */
	@Override
	public void save(RegisteredClient registeredClient) {
		Optional<ClientRecord> current = this.clients.find(registeredClient.getClientId());
		if (current.isEmpty()) {
			throw new UnsupportedOperationException("clients are created through the Auth admin API");
		}
		String secret = registeredClient.getClientSecret();
		if (secret != null && !secret.equals(current.get().secretHash())) {
			this.clients.updateSecretHash(registeredClient.getClientId(), secret);
		}
	}

	@Override
	public RegisteredClient findById(String id) {
		return findByClientId(id);
	}

	@Override
	public RegisteredClient findByClientId(String clientId) {
		if (ClientIds.problem(clientId) != null) {
			return null;
		}
		return this.clients.find(clientId).filter(ClientRecord::enabled).map(this::toRegisteredClient).orElse(null);
	}

	private RegisteredClient toRegisteredClient(ClientRecord client) {
		RegisteredClient.Builder builder = RegisteredClient.withId(client.clientId())
			.clientId(client.clientId())
			.clientIdIssuedAt(client.createdAt())
			.clientSecret(client.secretHash())
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.clientSettings(ClientSettings.builder()
				.setting(GRANTS_SETTING, List.copyOf(client.grants()))
				.setting(TOKENS_NOT_BEFORE_SETTING, client.tokensNotBefore())
				.build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
				.accessTokenTimeToLive(this.tokenLifetime)
				.build());
		if (!client.description().isEmpty()) {
			builder.clientName(client.description());
		}
		return builder.build();
	}

}
