"""Who may call a component: peer authorization on a mutual-TLS server, and through a started Component."""

from __future__ import annotations

from concurrent import futures

import grpc
import pytest

from fakes.echo import EchoService, call
from fakes.pki import TRUST_DOMAIN, TestPki

from switchboard import PeerAuthorization
from switchboard.health import HealthServicer, health_pb2, health_pb2_grpc

COMPUTE = "spiffe://%s/group/compute/instance/compute-1" % TRUST_DOMAIN
PRINCIPAL = (("x-switchboard-principal", "demo"),)


@pytest.fixture
def guarded_server(pki):
    """A compute server with mutual TLS from the test CA and PeerAuthorization; returns a connect(group) function."""
    servers, channels = [], []

    def start(allowed_callers=()):
        key, certificate = pki.issue("compute", "compute-1")
        server = grpc.server(futures.ThreadPoolExecutor(4),
                             interceptors=[PeerAuthorization(TRUST_DOMAIN, allowed_callers)])
        server.add_generic_rpc_handlers([EchoService().handler()])
        HealthServicer().add_to_server(server)
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials(
            [(key, certificate)], root_certificates=pki.ca_pem, require_client_auth=True))
        server.start()
        servers.append(server)

        def connect(group=None, uris=None, authority=pki):
            key_pem, chain_pem = (None, None)
            if group is not None:
                key_pem, chain_pem = authority.issue(group, group + "-1", uris=uris)
            credentials = grpc.ssl_channel_credentials(pki.ca_pem, key_pem, chain_pem)
            channel = grpc.secure_channel("127.0.0.1:%d" % port, credentials,
                                          options=[("grpc.ssl_target_name_override", "[%s]" % COMPUTE)])
            channels.append(channel)
            return channel

        return connect

    yield start
    for channel in channels:
        channel.close()
    for server in servers:
        server.stop(0)


def test_a_router_gets_in_and_its_principal_header_reaches_the_handler(guarded_server):
    connect = guarded_server()

    assert call(connect("router"), "Echo", metadata=PRINCIPAL) == b"principal=demo"


def test_another_group_is_refused_permission_denied(guarded_server):
    connect = guarded_server()

    with pytest.raises(grpc.RpcError) as refused:
        call(connect("volume"), "Echo")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "group 'volume' may not call this component directly" in refused.value.details()


def test_an_allowed_caller_gets_in_but_cannot_claim_a_principal(guarded_server):
    connect = guarded_server(allowed_callers=["volume"])

    assert call(connect("volume"), "Echo", metadata=PRINCIPAL) == b"principal=-"


def test_a_certificate_naming_no_single_identity_is_unauthenticated(guarded_server):
    connect = guarded_server()
    two = ("spiffe://%s/group/router/instance/a" % TRUST_DOMAIN, "spiffe://%s/group/router/instance/b" % TRUST_DOMAIN)

    with pytest.raises(grpc.RpcError) as refused:
        call(connect("router", uris=two), "Echo")
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_an_identity_of_another_trust_domain_is_unauthenticated(guarded_server):
    connect = guarded_server()

    with pytest.raises(grpc.RpcError) as refused:
        call(connect("router", uris=("spiffe://elsewhere.example/group/router/instance/r",)), "Echo")
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_health_answers_any_platform_identity(guarded_server):
    connect = guarded_server()

    answer = health_pb2_grpc.HealthStub(connect("volume")).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_no_client_certificate_or_one_of_another_ca_is_refused_in_the_handshake(guarded_server, tmp_path):
    connect = guarded_server()
    stranger = TestPki(str(tmp_path / "stranger"), name="Stranger CA")

    for channel in (connect(), connect("router", authority=stranger)):
        with pytest.raises(grpc.RpcError) as refused:
            call(channel, "Echo", timeout=3)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_a_started_component_admits_the_router_and_refuses_others(start_component, component_channel):
    component = start_component(allowed_callers=["volume"])

    assert call(component_channel(component, "router"), "Echo", metadata=PRINCIPAL) == b"principal=demo"
    assert call(component_channel(component, "volume"), "Echo", metadata=PRINCIPAL) == b"principal=-"
    with pytest.raises(grpc.RpcError) as refused:
        call(component_channel(component, "network"), "Echo")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert component.in_flight == 0
