package dev.switchboard.auth.client;

import java.util.Objects;

/**
 * A client just created, with its secret in plain: the only moment the secret is known. Never log it.
 *
 * @param client the stored client
 * @param secret the plain secret, to hand to the caller once
 */
public record CreatedClient(ClientRecord client, String secret) {

	public CreatedClient {
		Objects.requireNonNull(client, "client");
		Objects.requireNonNull(secret, "secret");
	}

	@Override
	public String toString() {
		return "CreatedClient[client=" + this.client.clientId() + ", secret=<hidden>]";
	}

}
