package dev.switchboard.client.identity;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.switchboard.auth.v1.CertificatesGrpc;
import dev.switchboard.auth.v1.IssueCertificateRequest;
import dev.switchboard.auth.v1.IssueCertificateResponse;
import dev.switchboard.client.grpc.SwitchboardHeaders;
import dev.switchboard.client.testing.TestCa;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Mutual TLS between platform identities over real Netty on loopback: a component's server takes the router and the
 * groups it lists, refuses everyone else in the handshake or by status, and a renewed certificate is presented from
 * the next connection on while calls flow.
 */
class MutualTlsTests {

	private static final String DOMAIN = "switchboard.test";

	private final TestCa ca = new TestCa(DOMAIN, Duration.ofHours(1));

	private final List<Server> servers = new ArrayList<>();

	private final List<ManagedChannel> channels = new ArrayList<>();

	/** What the service saw of its last call: the peer's identity and the principal header. */
	private final AtomicReference<String> seen = new AtomicReference<>();

	@AfterEach
	void stop() {
		this.channels.forEach(ManagedChannel::shutdownNow);
		this.servers.forEach(Server::shutdownNow);
	}

	@Test
	void whenTheRouterCallsAComponentThenTheCallSucceedsWithItsIdentityAndPrincipal() throws Exception {
		int port = component("compute", Set.of());
		PlatformIdentity router = this.ca.identity("router", "router-1");
		ManagedChannel connection = channel(port, new IdentityChannelCredentials(router).forGroup("compute"));
		ask(connection, "demo");
		assertThat(this.seen.get())
			.isEqualTo("spiffe://switchboard.test/group/router/instance/router-1 principal=demo");
		// the next call on the same connection reads the identity its TLS session keeps
		this.seen.set(null);
		ask(connection, "other");
		assertThat(this.seen.get())
			.isEqualTo("spiffe://switchboard.test/group/router/instance/router-1 principal=other");
	}

	@Test
	void whenAnotherGroupCallsAComponentDirectlyThenItIsRefusedAndNotListed() throws Exception {
		int port = component("compute", Set.of());
		PlatformIdentity volume = this.ca.identity("volume", "volume-1");
		assertThatThrownBy(() -> ask(channel(port, new IdentityChannelCredentials(volume).forGroup("compute")), null))
			.isInstanceOfSatisfying(StatusRuntimeException.class, (ex) -> {
				assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
				assertThat(ex.getStatus().getDescription()).contains("group 'volume' may not call");
			});
		assertThat(this.seen.get()).isNull();
	}

	@Test
	void whenAListedGroupCallsDirectlyThenItSucceedsButCannotForgeThePrincipal() throws Exception {
		int port = component("compute", Set.of("volume"));
		PlatformIdentity volume = this.ca.identity("volume", "volume-1");
		ask(channel(port, new IdentityChannelCredentials(volume).forGroup("compute")), "admin");
		assertThat(this.seen.get()).isEqualTo("spiffe://switchboard.test/group/volume/instance/volume-1 principal=null");
	}

	@Test
	void whenAPlaintextClientCallsThenTheCallFailsBeforeTheService() throws Exception {
		int port = component("compute", Set.of());
		assertThatThrownBy(() -> ask(channel(port, InsecureChannelCredentials.create()), "demo"))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
		assertThat(this.seen.get()).isNull();
	}

	@Test
	void whenTheClientCertificateIsFromAnotherCaThenTheHandshakeFails() throws Exception {
		int port = component("compute", Set.of());
		TestCa other = new TestCa(DOMAIN, Duration.ofHours(1));
		PlatformIdentity stranger = other.identity("router", "router-1");
		// it even trusts our CA: only its own certificate is foreign
		ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
			.keyManager(stranger.keyManager())
			.trustManager(this.ca.trust().trustManager(Set.of()))
			.build();
		assertThatThrownBy(() -> ask(channel(port, credentials), "demo"))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
		assertThat(this.seen.get()).isNull();
	}

	@Test
	void whenTheServerIsNotOfTheExpectedGroupThenTheClientRefusesIt() throws Exception {
		// a compute replica listening where the router expects an auth replica
		int port = component("compute", Set.of());
		PlatformIdentity router = this.ca.identity("router", "router-1");
		assertThatThrownBy(() -> ask(channel(port, new IdentityChannelCredentials(router).forGroup("auth")), "demo"))
			.isInstanceOfSatisfying(StatusRuntimeException.class,
					(ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
		assertThat(this.seen.get()).isNull();
	}

	@Test
	void whenACertificateIsRenewedWhileCallsFlowThenNoCallFailsAndNewConnectionsPresentTheNewOne() throws Exception {
		PlatformIdentity server = this.ca.identity("compute", "compute-1");
		int port = serve(server, Set.of());
		PlatformIdentity router = this.ca.identity("router", "router-1");
		IdentityChannelCredentials credentials = new IdentityChannelCredentials(router);
		ManagedChannel flowing = channel(port, credentials.forGroup("compute"));
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger ok = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread caller = new Thread(() -> {
			while (running.get()) {
				try {
					ask(flowing, "demo");
					ok.incrementAndGet();
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}
		});
		caller.start();
		String before = server.certificate().getSerialNumber().toString(16);
		int issuedBefore = this.ca.issued.get();
		for (int i = 0; i < 3; i++) {
			server.renew();
			router.renew();
			// a fresh connection after each renewal handshakes with the new certificates
			ask(channel(port, credentials.forGroup("compute")), "demo");
		}
		running.set(false);
		caller.join(10_000);
		assertThat(failure.get()).isNull();
		assertThat(ok.get()).isPositive();
		assertThat(this.ca.issued.get()).isEqualTo(issuedBefore + 6);
		assertThat(server.certificate().getSerialNumber().toString(16)).isNotEqualTo(before);
	}

	@Test
	void whenTheCaBackdatesAShortLivedCertificateThenItsRenewalIsStillTwoThirdsOfItsRemainingLifeAway() {
		// the test CA backdates notBefore by a minute, like the platform CA: 15 s certificates are 75 s "long"
		TestCa shortLived = new TestCa(DOMAIN, Duration.ofSeconds(15));
		java.time.Instant before = java.time.Instant.now();
		PlatformIdentity identity = shortLived.identity("compute", "compute-1");
		assertThat(identity.renewalDue()).isAfter(before.plusSeconds(9)).isBefore(java.time.Instant.now().plusSeconds(11));
	}

	@Test
	void whenTheCaCertifiesAnotherKeyThenTheRenewalIsRefusedAndTheOldCertificateKept() {
		PlatformIdentity identity = this.ca.identity("compute", "compute-1");
		String serial = identity.certificate().getSerialNumber().toString(16);
		PlatformIdentity cheated = new PlatformIdentity(identity.id(), (id, csr) -> this.ca.issue(id, otherCsr()),
				this.ca.trust(), 0.66, java.time.Clock.systemUTC());
		assertThatThrownBy(cheated::renew).hasMessageContaining("another key");
		assertThat(identity.certificate().getSerialNumber().toString(16)).isEqualTo(serial);
	}

	private static byte[] otherCsr() {
		try {
			java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
			generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
			java.security.KeyPair key = generator.generateKeyPair();
			return new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
					new org.bouncycastle.asn1.x500.X500Name("CN=x"), key.getPublic())
				.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
					.build(key.getPrivate()))
				.getEncoded();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private int component(String group, Set<String> allowed) throws IOException {
		return serve(this.ca.identity(group, group + "-1"), allowed);
	}

	private int serve(PlatformIdentity identity, Set<String> allowed) throws IOException {
		Server server = Grpc
			.newServerBuilderForPort(0,
					TlsServerCredentials.newBuilder()
						.keyManager(identity.keyManager())
						.trustManager(identity.trust().trustManager(Set.of()))
						.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
						.build())
			// the last interceptor runs first: PeerAuthorization, then what the service would see
			.addService(ServerInterceptors.intercept(new Echo(), new PrincipalCapture(),
					PeerAuthorization.callersIn(allowed)))
			.build()
			.start();
		this.servers.add(server);
		return server.getPort();
	}

	private ManagedChannel channel(int port, ChannelCredentials credentials) {
		ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
		this.channels.add(channel);
		return channel;
	}

	private static void ask(ManagedChannel channel, String principal) {
		Metadata headers = new Metadata();
		if (principal != null) {
			headers.put(SwitchboardHeaders.PRINCIPAL, principal);
		}
		CertificatesGrpc.newBlockingStub(channel)
			.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
			.withDeadlineAfter(5, TimeUnit.SECONDS)
			.issueCertificate(IssueCertificateRequest.getDefaultInstance());
	}

	/** Runs inside PeerAuthorization: records the peer and the principal header as the service would see them. */
	private static final class PrincipalCapture implements io.grpc.ServerInterceptor {

		static final io.grpc.Context.Key<String> PRINCIPAL = io.grpc.Context.key("principal");

		static final io.grpc.Context.Key<SpiffeId> PEER = io.grpc.Context.key("peer");

		@Override
		public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers,
				io.grpc.ServerCallHandler<Q, R> next) {
			return io.grpc.Contexts.interceptCall(io.grpc.Context.current()
				.withValue(PRINCIPAL, headers.get(SwitchboardHeaders.PRINCIPAL))
				.withValue(PEER, PeerAuthorization.peerOf(call)), call, headers, next);
		}

	}

	private final class Echo extends CertificatesGrpc.CertificatesImplBase {

		@Override
		public void issueCertificate(IssueCertificateRequest request,
				StreamObserver<IssueCertificateResponse> responseObserver) {
			MutualTlsTests.this.seen.set(PrincipalCapture.PEER.get() + " principal=" + PrincipalCapture.PRINCIPAL.get());
			responseObserver.onNext(IssueCertificateResponse.getDefaultInstance());
			responseObserver.onCompleted();
		}

	}

}
