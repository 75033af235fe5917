package dev.switchboard.auth.token;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The client secret check around Spring Authorization Server's own, with an encoder that records the secrets it
 * checks: an unknown client must cost the same secret check as a wrong secret.
 */
class TimingSafeClientSecretAuthenticationProviderTests {

	private final RecordingEncoder encoder = new RecordingEncoder();

	private final RegisteredClientRepository clients = new InMemoryRegisteredClientRepository(RegisteredClient
		.withId("known")
		.clientId("known")
		.clientSecret(this.encoder.encode("right-secret"))
		.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
		.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
		.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
		.build());

	private final TimingSafeClientSecretAuthenticationProvider provider = create();

	private TimingSafeClientSecretAuthenticationProvider create() {
		ClientSecretAuthenticationProvider sas = new ClientSecretAuthenticationProvider(this.clients,
				new UnstoredAuthorizationService());
		sas.setPasswordEncoder(this.encoder);
		return new TimingSafeClientSecretAuthenticationProvider(sas, this.clients, this.encoder);
	}

	private static OAuth2ClientAuthenticationToken request(String clientId, ClientAuthenticationMethod method,
			String secret) {
		return new OAuth2ClientAuthenticationToken(clientId, method, secret, null);
	}

	@Test
	void whenClientIsUnknownThenTheSecretIsCheckedAsForAWrongSecretAndSasRefusesBothAlike() {
		for (ClientAuthenticationMethod method : List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
				ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
			this.encoder.checked.clear();
			OAuth2AuthenticationException unknown = refusal(request("nobody", method, "guess-1"));
			OAuth2AuthenticationException wrong = refusal(request("known", method, "guess-2"));

			assertThat(this.encoder.checked).containsExactly("guess-1", "guess-2");
			assertThat(unknown.getError().getErrorCode()).isEqualTo("invalid_client")
				.isEqualTo(wrong.getError().getErrorCode());
		}
	}

	@Test
	void whenClientIsKnownThenItsSecretIsCheckedOnceAndTheRightOneAuthenticates() {
		Authentication authenticated = this.provider
			.authenticate(request("known", ClientAuthenticationMethod.CLIENT_SECRET_BASIC, "right-secret"));

		assertThat(authenticated.isAuthenticated()).isTrue();
		assertThat(this.encoder.checked).containsExactly("right-secret");
	}

	@Test
	void whenNoSecretIsSentThenNothingIsCheckedForKnownOrUnknownClients() {
		refusal(request("nobody", ClientAuthenticationMethod.CLIENT_SECRET_BASIC, null));
		refusal(request("known", ClientAuthenticationMethod.CLIENT_SECRET_BASIC, null));

		assertThat(this.encoder.checked).isEmpty();
	}

	private OAuth2AuthenticationException refusal(OAuth2ClientAuthenticationToken request) {
		return assertThrows(OAuth2AuthenticationException.class, () -> this.provider.authenticate(request));
	}

	/** The encoder SAS uses by default, recording each secret it checks. */
	private static final class RecordingEncoder implements PasswordEncoder {

		private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();

		private final List<String> checked = new ArrayList<>();

		@Override
		public String encode(CharSequence rawPassword) {
			return this.encoder.encode(rawPassword);
		}

		@Override
		public boolean matches(CharSequence rawPassword, String encodedPassword) {
			this.checked.add(String.valueOf(rawPassword));
			return this.encoder.matches(rawPassword, encodedPassword);
		}

	}

}
