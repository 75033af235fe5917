package dev.switchboard.auth.token;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Spring Authorization Server's client secret check, made as slow for a client that is not found (unknown or
 * disabled) as for a wrong secret.
 * <p>
 * Why: SAS refuses an unknown client at once but hashes the secret of a known one (tens of milliseconds), so the time
 * of the identical 401 would tell whether a client exists. For a client not found this checks the secret sent against
 * a hash of its own first, with the encoder SAS checks secrets with, the way Spring Security's
 * {@code DaoAuthenticationProvider} does for unknown users; then SAS answers as always. Costs one more lookup of the
 * client per request. Thread-safe.
 */
public final class TimingSafeClientSecretAuthenticationProvider implements AuthenticationProvider {

	private final ClientSecretAuthenticationProvider delegate;

	private final RegisteredClientRepository clients;

	private final PasswordEncoder encoder;

	/** The hash of a secret nobody knows, made by {@code encoder} as client hashes are, so it costs what theirs do. */
	private final String missingClientHash;

	/**
	 * @param delegate SAS's provider, set to check secrets with {@code encoder}
	 * @param clients the clients SAS looks up
	 * @param encoder the encoder SAS checks secrets with
	 */
	public TimingSafeClientSecretAuthenticationProvider(ClientSecretAuthenticationProvider delegate,
			RegisteredClientRepository clients, PasswordEncoder encoder) {
		this.delegate = Objects.requireNonNull(delegate, "delegate");
		this.clients = Objects.requireNonNull(clients, "clients");
		this.encoder = Objects.requireNonNull(encoder, "encoder");
		byte[] unknown = new byte[32];
		new SecureRandom().nextBytes(unknown);
		this.missingClientHash = encoder.encode(Base64.getEncoder().encodeToString(unknown));
	}

	@Override
	public Authentication authenticate(Authentication authentication) throws AuthenticationException {
		OAuth2ClientAuthenticationToken client = (OAuth2ClientAuthenticationToken) authentication;
		ClientAuthenticationMethod method = client.getClientAuthenticationMethod();
		// the same conditions under which SAS gets as far as checking a secret
		if ((ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)
				|| ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) && client.getCredentials() != null
				&& this.clients.findByClientId(client.getPrincipal().toString()) == null) {
			this.encoder.matches(client.getCredentials().toString(), this.missingClientHash);
		}
		return this.delegate.authenticate(authentication);
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return this.delegate.supports(authentication);
	}

}
