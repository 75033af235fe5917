package dev.switchboard.autoconfigure.identity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.switchboard.contracts.DefaultPorts;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The process's platform identity, under {@code switchboard.identity}.
 *
 * @param enabled Whether the process gets a certificate from the platform CA and speaks mutual TLS on every gRPC
 * server and channel; turning it off leaves every hop in plaintext, for tests without an auth service only
 * @param trustDomain The platform's trust domain, the host part of every spiffe:// identity
 * @param trustBundle The PEM file of the platform CA certificates to trust; required, never learned on first use
 * @param caAddresses The auth replicas' gRPC addresses to ask for certificates, tried in turn
 * @param group The group the certificate names; defaults to switchboard.component.group, then
 * spring.application.name
 * @param instanceId The instance the certificate names; defaults to switchboard.component.instance-id, then
 * <group>-<host name>-<pid>
 * @param renewAt The share of a certificate's lifetime after which it is renewed
 * @param startTimeout How long start-up waits for the first certificate before failing
 * @param timeout The deadline of each call to the CA
 * @param allowedCallers The groups whose identities may call this process's gRPC server directly (besides the
 * router, which always may); health is open to every platform identity
 * @param acceptAnyCaller Whether the gRPC server takes callers that present no platform certificate, deciding by
 * token (the registry, auth and the router's front door); a peer's identity is then only made known
 */
@ConfigurationProperties("switchboard.identity")
public record IdentityProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("switchboard.local") String trustDomain, Path trustBundle,
		@DefaultValue(DefaultPorts.AUTH_ADDRESS) List<String> caAddresses, String group, String instanceId,
		@DefaultValue("0.66") double renewAt, @DefaultValue("60s") Duration startTimeout,
		@DefaultValue("5s") Duration timeout, @DefaultValue List<String> allowedCallers,
		@DefaultValue("false") boolean acceptAnyCaller) {

}
