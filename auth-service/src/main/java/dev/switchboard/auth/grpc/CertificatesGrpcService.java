package dev.switchboard.auth.grpc;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.switchboard.auth.ca.CertificateAuthority;
import dev.switchboard.auth.ca.CertificateRequest;
import dev.switchboard.auth.decision.Authorizer;
import dev.switchboard.auth.grant.Grant;
import dev.switchboard.auth.v1.AuthorizeResponse;
import dev.switchboard.auth.v1.CertificatesGrpc;
import dev.switchboard.auth.v1.Decision;
import dev.switchboard.auth.v1.IssueCertificateRequest;
import dev.switchboard.auth.v1.IssueCertificateResponse;
import dev.switchboard.client.auth.Action;
import dev.switchboard.client.grpc.Printable;
import dev.switchboard.client.grpc.RefusalException;
import dev.switchboard.client.grpc.ServiceExceptionHandler;
import dev.switchboard.client.identity.IssuedCertificate;
import dev.switchboard.client.identity.Pem;
import dev.switchboard.client.identity.SpiffeId;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code switchboard.auth.v1.Certificates} service: signs a process's certification request with the platform CA
 * when its bearer token (metadata {@code authorization: Bearer <token>}) is valid and its client holds
 * {@code register:<group>}.
 * <p>
 * The token is checked as {@code Authorize} checks it (signature, expiry, revocation, client enabled), so a revoked
 * token or a disabled client gets {@code UNAUTHENTICATED}. For the platform's own groups ({@link #RESERVED_GROUPS})
 * only the exact grant {@code register:<group>} counts, never {@code register:*}; for other groups any grant that
 * allows {@code register:<group>} does ({@code PERMISSION_DENIED} otherwise). A bad group, instance id or request is
 * {@code INVALID_ARGUMENT}. Refusals are thrown as {@link RefusalException} and mapped by
 * {@link ServiceExceptionHandler}; nothing is stored and nothing counted for them. Every issued certificate is counted
 * ({@code switchboard.auth.certificates.issued}, tag {@code group}) and logged in one line, never with the token.
 * <p>
 * Implements {@link CertificatesGrpc.AsyncService} rather than extending {@code CertificatesImplBase}, whose
 * {@code bindService()} is final: binding adds the {@link CallerToken} interceptor. Methods block on the database
 * (token checks, rarely the CA), so they run on gRPC's application executor.
 */
public final class CertificatesGrpcService implements CertificatesGrpc.AsyncService, BindableService {

	/** The groups only an exact {@code register:<group>} grant may get certificates for. */
	public static final Set<String> RESERVED_GROUPS = Grant.PLATFORM_GROUPS;

	private static final Logger logger = LoggerFactory.getLogger(CertificatesGrpcService.class);

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

	private final Authorizer authorizer;

	private final CertificateAuthority authority;

	private final ServiceExceptionHandler exceptions;

	private final MeterRegistry meters;

	public CertificatesGrpcService(Authorizer authorizer, CertificateAuthority authority,
			ServiceExceptionHandler exceptions, MeterRegistry meters) {
		this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
		this.authority = Objects.requireNonNull(authority, "authority");
		this.exceptions = Objects.requireNonNull(exceptions, "exceptions");
		this.meters = Objects.requireNonNull(meters, "meters");
	}

	/** Binds the service with the interceptor that hands the caller's token to it. */
	@Override
	public ServerServiceDefinition bindService() {
		return ServerInterceptors.intercept(CertificatesGrpc.bindService(this), new CallerToken());
	}

	@Override
	public void issueCertificate(IssueCertificateRequest request,
			StreamObserver<IssueCertificateResponse> responses) {
		this.exceptions.reply(responses, () -> issue(request));
	}

	private IssueCertificateResponse issue(IssueCertificateRequest request) {
		String token = CallerToken.current();
		if (token == null) {
			throw RefusalException.unauthenticated("missing 'authorization: Bearer <token>' metadata");
		}
		String group = name(request.getGroup(), "group");
		String instance = name(request.getInstanceId(), "instance_id");
		String client = requireRegisterGrant(token, group);
		CertificateRequest csr = CertificateRequest.parse(request.getCsr().toByteArray());
		SpiffeId identity = SpiffeId.of(this.authority.trustDomain(), group, instance);
		IssuedCertificate issued = this.authority.issue(identity, csr);
		Counter.builder("switchboard.auth.certificates.issued")
			.description("Certificates issued by the platform CA")
			.tag("group", group)
			.register(this.meters)
			.increment();
		logger.info("Issued certificate to group '{}' instance '{}' (client '{}'): serial {}, not after {}", group,
				instance, client, issued.leaf().getSerialNumber().toString(16), issued.notAfter());
		IssueCertificateResponse.Builder answer = IssueCertificateResponse.newBuilder()
			.setSpiffeId(identity.toString())
			.setNotAfter(Timestamp.newBuilder().setSeconds(issued.notAfter().getEpochSecond()));
		for (X509Certificate certificate : issued.chain()) {
			answer.addCertificateChain(ByteString.copyFrom(Pem.der(certificate)));
		}
		for (X509Certificate certificate : issued.trustBundle()) {
			answer.addTrustBundle(ByteString.copyFrom(Pem.der(certificate)));
		}
		return answer.build();
	}

	private static String name(String value, String field) {
		if (value.isEmpty()) {
			throw RefusalException.invalidArgument(field + " is empty");
		}
		if (!NAME.matcher(value).matches()) {
			throw RefusalException.invalidArgument(field + " '" + Printable.of(value)
					+ "' must be 1-128 letters, digits, '.', '_' or '-'");
		}
		return value;
	}

	/** Checks the token and that its client may register {@code group}; returns the client id. */
	private String requireRegisterGrant(String token, String group) {
		Action register = Action.register(group).checked();
		AuthorizeResponse decision = this.authorizer.authorize(token, register);
		if (decision.getDecision() == Decision.UNAUTHENTICATED) {
			throw RefusalException.unauthenticated(decision.getReason());
		}
		String client = decision.getPrincipal();
		if (RESERVED_GROUPS.contains(group)) {
			if (!decision.getGrantsList().contains(register.toString())) {
				throw RefusalException.permissionDenied("client '" + client + "' has no " + register
						+ " grant (register:* does not reach the platform's own groups)");
			}
		}
		else if (decision.getDecision() != Decision.ALLOWED) {
			throw RefusalException.permissionDenied(
					"client '" + client + "' has no grant allowing " + register);
		}
		return client;
	}

}
