"""Fixtures: a test CA, a token endpoint, the CA service, two registry replicas, and components wired to them.

Every server binds 127.0.0.1 on a port the system picks; nothing here touches the platform's fixed ports.
"""

from __future__ import annotations

import os
import sys
import threading

import grpc
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the package, uninstalled

from fakes.ca import FakeCa  # noqa: E402
from fakes.echo import EchoService  # noqa: E402
from fakes.pki import TestPki  # noqa: E402
from fakes.registry import FakeRegistry, RegistryState  # noqa: E402
from fakes.token_endpoint import FakeTokenEndpoint  # noqa: E402

from switchboard import Component, Settings  # noqa: E402

CLIENT_ID = "compute"
#: a secret that needs form encoding in HTTP basic (RFC 6749 2.3.1)
CLIENT_SECRET = "s3cret: +&/%"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return TestPki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture
def token_endpoint():
    endpoint = FakeTokenEndpoint(CLIENT_ID, CLIENT_SECRET)
    yield endpoint
    endpoint.close()


@pytest.fixture
def ca(pki, token_endpoint):
    service = FakeCa(pki, token_endpoint)
    yield service
    service.stop()


@pytest.fixture
def registry_state():
    return RegistryState()


@pytest.fixture
def registries(pki, token_endpoint, registry_state):
    replicas = [FakeRegistry("registry-%d" % n, registry_state, pki, token_endpoint) for n in (1, 2)]
    yield replicas
    for replica in replicas:
        replica.stop()


@pytest.fixture
def settings_for(pki, token_endpoint, ca, registries):
    """Settings of a ``compute`` component wired to the fakes; keyword arguments change them."""

    def make(**overrides):
        values = dict(group="compute", instance_id="compute-1", host="127.0.0.1", address="127.0.0.1", port=0,
                      client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_uri=[token_endpoint.uri],
                      trust_bundle=pki.ca_path, ca_addresses=[ca.address],
                      registry_addresses=[replica.address for replica in registries], registry_timeout=2.0,
                      initial_backoff=0.05, max_backoff=0.2, quiet_period=0.1, drain_timeout=5.0, start_timeout=10.0,
                      shutdown_grace=1.0)
        values.update(overrides)
        return Settings.load(environ={}, **values)

    return make


@pytest.fixture
def start_component(settings_for):
    """Starts a component serving ``test.v1.Echo`` (and health) with the given settings; drains it afterwards."""
    started = []

    def start(echo=None, handle_signals=False, **overrides):
        echo = echo or EchoService()
        component = Component(settings_for(**overrides), handle_signals=handle_signals)
        server = component.server(max_workers=8)
        server.add_generic_rpc_handlers([echo.handler()])
        component.start(server)
        started.append((component, echo))
        return component

    yield start
    for component, echo in started:
        echo.gate.set()
        drainer = threading.Thread(target=component.drain, daemon=True)
        drainer.start()
        drainer.join(10)


@pytest.fixture
def component_channel(pki):
    """A mutual-TLS channel to a component, presenting a certificate of ``group`` from the test CA."""
    channels = []
    files = {}

    def connect(component, group):
        if group not in files:
            files[group] = pki.identity_files(group, group + "-1")
        chain, key = files[group]
        with open(chain, "rb") as file:
            chain_pem = file.read()
        with open(key, "rb") as file:
            key_pem = file.read()
        credentials = grpc.ssl_channel_credentials(pki.ca_pem, key_pem, chain_pem)
        channel = grpc.secure_channel("127.0.0.1:%d" % component.port, credentials, options=[
            ("grpc.ssl_target_name_override", "[%s]" % component.identity.spiffe_id)])
        channels.append(channel)
        return channel

    yield connect
    for channel in channels:
        channel.close()
