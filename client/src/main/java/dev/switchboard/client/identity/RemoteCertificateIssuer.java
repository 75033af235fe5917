package dev.switchboard.client.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.switchboard.auth.v1.CertificatesGrpc;
import dev.switchboard.auth.v1.IssueCertificateRequest;
import dev.switchboard.auth.v1.IssueCertificateResponse;
import dev.switchboard.client.auth.TokenSource;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;

/**
 * Gets certificates from the auth group's {@code Certificates} service, trying each configured CA address in turn
 * from the one that answered last. The channel is TLS without a client certificate (this is how a process gets its
 * first one) and accepts nothing but a server with an {@code auth} identity from the trust bundle: a process never
 * sends its token to, or takes a certificate from, anyone else.
 * <p>
 * Thread-safe; {@link #issue} blocks for at most the timeout per address.
 */
public final class RemoteCertificateIssuer implements CertificateIssuer, AutoCloseable {

	private final List<String> addresses;

	private final TokenSource tokens;

	private final ChannelCredentials credentials;

	private final long timeoutMillis;

	private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

	private volatile int preferred;

	/**
	 * @param addresses the auth replicas' gRPC addresses ({@code host:port})
	 * @param tokens the process's tokens; the token must hold {@code register:<group>} for the group certified
	 * @param trust the platform trust the CA's certificate must verify against
	 * @param timeoutMillis the deadline of each attempt
	 */
	public RemoteCertificateIssuer(List<String> addresses, TokenSource tokens, PlatformTrust trust, long timeoutMillis) {
		this.addresses = List.copyOf(addresses);
		if (this.addresses.isEmpty()) {
			throw new IllegalArgumentException("no CA address (switchboard.identity.ca-addresses)");
		}
		this.tokens = Objects.requireNonNull(tokens, "tokens");
		this.credentials = TlsChannelCredentials.newBuilder()
			.trustManager(Objects.requireNonNull(trust, "trust").trustManager(Set.of("auth")))
			.build();
		this.timeoutMillis = timeoutMillis;
	}

	@Override
	public IssuedCertificate issue(SpiffeId identity, byte[] csr) {
		IssueCertificateRequest request = IssueCertificateRequest.newBuilder()
			.setGroup(identity.group())
			.setInstanceId(identity.instance())
			.setCsr(ByteString.copyFrom(csr))
			.build();
		List<String> failures = new ArrayList<>();
		int first = this.preferred;
		for (int i = 0; i < this.addresses.size(); i++) {
			int index = (first + i) % this.addresses.size();
			String address = this.addresses.get(index);
			try {
				IssueCertificateResponse response = call(address, request);
				this.preferred = index;
				return toIssued(response);
			}
			catch (StatusRuntimeException ex) {
				Status.Code code = ex.getStatus().getCode();
				if (code == Status.Code.UNAUTHENTICATED) {
					this.tokens.invalidate(); // the next attempt fetches a fresh token
				}
				if (code == Status.Code.PERMISSION_DENIED || code == Status.Code.INVALID_ARGUMENT) {
					// every replica would answer the same
					throw new CertificateUnavailableException("the CA at " + address + " refused: " + code + " "
							+ ex.getStatus().getDescription(), ex);
				}
				failures.add(address + ": " + code + " " + ex.getStatus().getDescription());
			}
			catch (TokenSource.TokenUnavailableException ex) {
				throw new CertificateUnavailableException("no token to ask the CA with: " + ex.getMessage(), ex);
			}
		}
		throw new CertificateUnavailableException("no CA answered (" + String.join("; ", failures) + ")");
	}

	private IssueCertificateResponse call(String address, IssueCertificateRequest request) {
		Metadata headers = new Metadata();
		headers.put(SwitchboardHeaders.AUTHORIZATION, "Bearer " + this.tokens.token());
		ManagedChannel channel = this.channels.computeIfAbsent(address,
				(target) -> Grpc.newChannelBuilder(target, this.credentials).build());
		return CertificatesGrpc.newBlockingStub(channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
			.withDeadlineAfter(this.timeoutMillis, TimeUnit.MILLISECONDS)
			.issueCertificate(request);
	}

	private static IssuedCertificate toIssued(IssueCertificateResponse response) {
		List<java.security.cert.X509Certificate> chain = response.getCertificateChainList()
			.stream()
			.map((der) -> Pem.certificate(der.toByteArray()))
			.toList();
		List<java.security.cert.X509Certificate> bundle = response.getTrustBundleList()
			.stream()
			.map((der) -> Pem.certificate(der.toByteArray()))
			.toList();
		if (chain.isEmpty()) {
			throw new CertificateUnavailableException("the CA answered without a certificate");
		}
		return new IssuedCertificate(chain, bundle);
	}

	@Override
	public void close() {
		this.channels.values().forEach(ManagedChannel::shutdownNow);
		this.channels.clear();
	}

}
