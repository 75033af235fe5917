"""router_channel against a stand-in router that reports the metadata it got."""

from __future__ import annotations

from concurrent import futures

import grpc
import pytest

from switchboard import Credentials, TokenSource, router_channel

from conftest import CLIENT_ID, CLIENT_SECRET


class Router:
    """Answers ``/x.Y/Echo`` with the metadata it received; refuses a call with ``token-1`` when told to."""

    def __init__(self, credentials=None):
        self.refuse_first_token = False
        self.seen = []
        self._server = grpc.server(futures.ThreadPoolExecutor(4))
        self._server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
            "x.Y", {"Echo": grpc.unary_unary_rpc_method_handler(self._echo)})])
        if credentials is None:
            self.port = self._server.add_insecure_port("127.0.0.1:0")
        else:
            self.port = self._server.add_secure_port("127.0.0.1:0", credentials)
        self._server.start()

    @property
    def target(self):
        return "127.0.0.1:%d" % self.port

    def _echo(self, request, context):
        metadata = dict(context.invocation_metadata())
        self.seen.append(metadata)
        if self.refuse_first_token and metadata.get("authorization") == "Bearer token-1":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "token revoked")
        return b"ok"

    def stop(self):
        self._server.stop(0)


@pytest.fixture
def tokens(token_endpoint):
    return TokenSource(Credentials(CLIENT_ID, CLIENT_SECRET, (token_endpoint.uri,)))


def echo(channel, metadata=None):
    return channel.unary_unary("/x.Y/Echo")(b"", timeout=5, metadata=metadata)


def test_every_call_carries_the_token_and_the_designated_replica(tokens):
    router = Router()
    try:
        with router_channel(router.target, tokens=tokens, instance="compute-2") as channel:
            echo(channel)
            echo(channel, metadata=(("x-switchboard-instance", "compute-3"),))  # a call's own choice wins
        assert router.seen[0]["authorization"] == "Bearer token-1"
        assert router.seen[0]["x-switchboard-instance"] == "compute-2"
        assert router.seen[1]["x-switchboard-instance"] == "compute-3"
    finally:
        router.stop()


def test_a_refused_token_is_replaced_on_the_next_call(tokens):
    router = Router()
    router.refuse_first_token = True
    try:
        with router_channel(router.target, tokens=tokens) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                echo(channel)
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert echo(channel) == b"ok"
        assert router.seen[-1]["authorization"] == "Bearer token-2"
    finally:
        router.stop()


def test_the_tls_front_door_must_prove_a_router_identity(pki, tokens, caplog):
    router_key, router_certificate = pki.issue("router", "router-1")
    compute_key, compute_certificate = pki.issue("compute", "compute-1")
    router = Router(grpc.ssl_server_credentials([(router_key, router_certificate)]))
    impostor = Router(grpc.ssl_server_credentials([(compute_key, compute_certificate)]))
    try:
        with router_channel(router.target, tokens=tokens, tls=True, trust_bundle=pki.ca_path) as channel:
            assert echo(channel) == b"ok"
        with router_channel(impostor.target, tokens=tokens, tls=True, trust_bundle=pki.ca_path) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                echo(channel)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "not a member of group 'router'" in caplog.text
        assert impostor.seen == []
    finally:
        router.stop()
        impostor.stop()
