"""The network sample (examples/network_sample) as a component, called as the router would."""

from __future__ import annotations

import os
import sys

import grpc
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                                "network_sample"))

import network_pb2  # noqa: E402
import network_pb2_grpc  # noqa: E402
from server import NetworkService  # noqa: E402

from switchboard import Component  # noqa: E402


@pytest.fixture
def network(settings_for, registry_state):
    component = Component(settings_for(group="network", instance_id="network-1"), handle_signals=False)
    server = component.server()
    network_pb2_grpc.add_NetworkServicer_to_server(NetworkService("network-1"), server)
    component.start(server)
    yield component
    component.drain()


def test_the_sample_registers_its_service_and_answers_through_the_router(network, registry_state, component_channel):
    assert registry_state.wait_for(lambda events: any(e.kind == "register" for e in events))
    assert list(registry_state.of("register")[0].message.services) == ["switchboard.sample.network.v1.Network"]
    stub = network_pb2_grpc.NetworkStub(component_channel(network, "router"))

    created = stub.CreateNetwork(network_pb2.CreateNetworkRequest(name="private", cidr="10.1.0.0/24"), timeout=5,
                                 metadata=(("x-switchboard-principal", "demo"),))
    assert (created.served_by, created.created_by, created.cidr) == ("network-1", "demo", "10.1.0.0/24")
    assert stub.GetNetwork(network_pb2.GetNetworkRequest(id=created.id), timeout=5).name == "private"
    with pytest.raises(grpc.RpcError) as refused:
        stub.CreateNetwork(network_pb2.CreateNetworkRequest(name="bad", cidr="10.1.0.0/33"), timeout=5)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
