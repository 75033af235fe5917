"""PlatformIdentity against the fake CA: keys, requests, checks of the answer, renewal, serving the newest."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import time
from concurrent import futures

import grpc
import pytest

from fakes.ca import FakeCa
from fakes.echo import EchoService, call
from fakes.pki import TRUST_DOMAIN, TestPki

from switchboard import Credentials, PlatformIdentity, SpiffeId, TokenSource, TrustBundle
from switchboard.identity import CertificateIssuer, CertificateRefused, CertificateUnavailable, openssl

from conftest import CLIENT_ID, CLIENT_SECRET

COMPUTE_1 = SpiffeId(TRUST_DOMAIN, "compute", "compute-1")


def identity_for(pki, token_endpoint, *ca_addresses, renew_at=0.66):
    tokens = TokenSource(Credentials(CLIENT_ID, CLIENT_SECRET, (token_endpoint.uri,)))
    trust = TrustBundle(pki.ca_path, TRUST_DOMAIN)
    return PlatformIdentity(COMPUTE_1, CertificateIssuer(ca_addresses, tokens, trust, timeout=3.0), trust,
                            renew_at=renew_at)


def served_certificate(port, client):
    """The DER certificate a TLS server on ``port`` presents to a new connection."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(cadata=client["ca"].decode())
    context.load_cert_chain(client["chain"], client["key"])
    context.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw) as connection:
        return connection.getpeercert(binary_form=True)


def leaf_der(identity):
    return ssl.PEM_cert_to_DER_cert(openssl.pem_certificates(identity.certificate_chain_pem)[0].decode())


def test_gets_a_certificate_for_a_new_p256_key_naming_its_identity(pki, token_endpoint, ca):
    identity = identity_for(pki, token_endpoint, ca.address)
    identity.start(timeout=10)
    try:
        request = ca.requests[0]
        assert (request.group, request.instance_id) == ("compute", "compute-1")
        csr = subprocess.run(["openssl", "req", "-inform", "DER", "-noout", "-subject", "-text"], input=request.csr,
                             stdout=subprocess.PIPE, check=True).stdout.decode()
        assert "CN = compute" in csr and "prime256v1" in csr
        info = openssl.describe(identity.certificate_chain_pem)
        assert info.uris == (str(COMPUTE_1),)
        assert info.public_key_pem == openssl.public_key_of(identity.private_key_pem)
        assert token_endpoint.requests  # the CA was asked with a token of the component's client
    finally:
        identity.close()


def test_refuses_a_certificate_for_another_key(pki, token_endpoint, ca):
    ca.certify_another_key = True
    identity = identity_for(pki, token_endpoint, ca.address)

    with pytest.raises(CertificateUnavailable, match="another key"):
        identity.start(timeout=0.5)


def test_asks_only_a_server_that_proves_an_auth_identity(pki, token_endpoint):
    impostor = FakeCa(pki, token_endpoint, group="registry")  # a platform certificate, of another group
    try:
        identity = identity_for(pki, token_endpoint, impostor.address)
        with pytest.raises(CertificateUnavailable, match="not a member of group 'auth'"):
            identity.start(timeout=0.3)
        assert impostor.calls == 0  # the request, and the token in it, never reached it
    finally:
        impostor.stop()


def test_asks_only_a_server_whose_certificate_is_from_the_trust_bundle(pki, token_endpoint, tmp_path):
    impostor = FakeCa(TestPki(str(tmp_path / "stranger"), name="Stranger CA"), token_endpoint)  # "auth", elsewhere
    try:
        identity = identity_for(pki, token_endpoint, impostor.address)
        with pytest.raises(CertificateUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
            identity.start(timeout=0.3)
        assert impostor.calls == 0
    finally:
        impostor.stop()


def test_a_refusal_every_replica_would_repeat_is_not_asked_again(pki, token_endpoint, ca):
    second = FakeCa(pki, token_endpoint)
    try:
        ca.refuse_with = grpc.StatusCode.PERMISSION_DENIED
        identity = identity_for(pki, token_endpoint, ca.address, second.address)
        with pytest.raises(CertificateUnavailable, match="PERMISSION_DENIED"):
            identity.start(timeout=0.3)
        assert second.requests == []
    finally:
        second.stop()


@pytest.mark.parametrize("refusal", ["wrong secret", "no register grant"])
def test_a_refusal_every_replica_would_repeat_ends_the_start_at_once(pki, token_endpoint, ca, refusal):
    if refusal == "wrong secret":
        tokens = TokenSource(Credentials(CLIENT_ID, "not the secret", (token_endpoint.uri,)))
        expected = "refused client 'compute': HTTP 401"
    else:
        ca.refuse_with = grpc.StatusCode.PERMISSION_DENIED
        tokens = TokenSource(Credentials(CLIENT_ID, CLIENT_SECRET, (token_endpoint.uri,)))
        expected = "PERMISSION_DENIED"
    trust = TrustBundle(pki.ca_path, TRUST_DOMAIN)
    identity = PlatformIdentity(COMPUTE_1, CertificateIssuer([ca.address], tokens, trust, timeout=3.0), trust)
    started = time.monotonic()

    with pytest.raises(CertificateRefused, match=expected):
        identity.start(timeout=30)

    assert time.monotonic() - started < 3, "a refusal is not retried for the whole start timeout"


def test_moves_to_the_next_ca_while_one_is_unreachable(pki, token_endpoint, ca):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nobody = "127.0.0.1:%d" % probe.getsockname()[1]
    identity = identity_for(pki, token_endpoint, nobody, ca.address)
    identity.start(timeout=5)
    identity.close()

    assert len(ca.requests) == 1


def test_renews_at_two_thirds_of_the_life_counted_from_arrival(pki, token_endpoint, ca):
    ca.lifetime = 4.0  # the CA backdates notBefore by a minute, which must not make the renewal come early
    identity = identity_for(pki, token_endpoint, ca.address)
    identity.start(timeout=10)
    try:
        first = identity.current
        life = first.not_after - first.received  # 3 to 4 s: the expiry has whole seconds
        assert identity.renewal_due() == pytest.approx(first.received + 0.66 * life)

        # on a loaded machine the first certificate may have taken more than one request
        started = len(ca.requests)
        assert ca.wait_for_requests(started + 1, timeout=10)
        assert 0.6 * life <= ca.times[started] - first.received <= 0.66 * life + 1.0
        assert identity.wait_for_generation(2, timeout=5)
        second = identity.current
        assert second.serial != first.serial
        assert second.private_key_pem != first.private_key_pem  # a new key for every certificate
    finally:
        identity.close()


def test_a_running_server_presents_the_renewed_certificate_from_its_next_handshake(pki, token_endpoint, ca, tmp_path):
    identity = identity_for(pki, token_endpoint, ca.address)
    identity.start(timeout=10)
    chain, key = pki.identity_files("router", "router-1")
    client = {"ca": pki.ca_pem, "chain": chain, "key": key}
    echo = EchoService()
    server = grpc.server(futures.ThreadPoolExecutor(4))
    server.add_generic_rpc_handlers([echo.handler()])
    port = server.add_secure_port("127.0.0.1:0", identity.server_credentials())
    server.start()
    try:
        with open(chain, "rb") as chain_file, open(key, "rb") as key_file:
            credentials = grpc.ssl_channel_credentials(pki.ca_pem, key_file.read(), chain_file.read())
        channel = grpc.secure_channel("127.0.0.1:%d" % port, credentials,
                                      options=[("grpc.ssl_target_name_override", "[%s]" % COMPUTE_1)])
        assert call(channel, "Echo") == b"principal=-"
        assert served_certificate(port, client) == leaf_der(identity)
        old = leaf_der(identity)

        identity.renew()

        assert served_certificate(port, client) == leaf_der(identity) != old
        assert call(channel, "Echo") == b"principal=-"  # the connection already open keeps going
        channel.close()
    finally:
        server.stop(0)
        identity.close()


def test_the_trust_bundle_is_read_again_when_it_changes(pki, tmp_path):
    other = TestPki(str(tmp_path / "other"), name="Next CA")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pki.ca_pem)
    trust = TrustBundle(str(bundle), TRUST_DOMAIN)
    assert len(openssl.pem_certificates(trust.pem())) == 1

    bundle.write_bytes(pki.ca_pem + other.ca_pem)
    os.utime(bundle, (1, 1))  # a changed modification time, however fast this runs
    trust.reload_if_changed()

    assert len(openssl.pem_certificates(trust.pem())) == 2
