package dev.switchboard.client.auth;

import java.util.Objects;
import java.util.concurrent.Executor;

import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Puts {@code authorization: Bearer <token>} on every call, from a {@link TokenSource}. Fetching a token may block,
 * so it runs on the executor gRPC hands over, never on a transport thread.
 */
public final class BearerTokenCredentials extends CallCredentials {

	private final TokenSource tokens;

	public BearerTokenCredentials(TokenSource tokens) {
		this.tokens = Objects.requireNonNull(tokens, "tokens");
	}

	@Override
	public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
		appExecutor.execute(() -> {
			try {
				Metadata headers = new Metadata();
				headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + this.tokens.token());
				applier.apply(headers);
			}
			catch (RuntimeException ex) {
				applier.fail(Status.UNAUTHENTICATED.withDescription("no token: " + ex.getMessage()).withCause(ex));
			}
		});
	}

}
