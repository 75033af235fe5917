"""The network sample (sample-components/network) as a component, called as the router would; its calls to compute
go to an in-process compute server standing where the router would be."""

from __future__ import annotations

import os
import sys
import threading
from concurrent import futures

import grpc
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SAMPLE = os.path.join(ROOT, "sample-components", "network", "src", "main", "python")
sys.path.insert(0, SAMPLE)

import compute_pb2  # noqa: E402
import compute_pb2_grpc  # noqa: E402
import network_pb2  # noqa: E402
import network_pb2_grpc  # noqa: E402
from server import NetworkService  # noqa: E402

from switchboard import Component  # noqa: E402

ROUTER = (("x-switchboard-principal", "demo"),)


class Compute(compute_pb2_grpc.ComputeServicer):
    """Holds one server, web-1, on replica compute-2; records the replica each call designated."""

    def __init__(self) -> None:
        self.designated = []

    def GetServer(self, request, context):  # noqa: N802 - the gRPC method
        replica = dict(context.invocation_metadata()).get("x-switchboard-instance")
        self.designated.append(replica)
        if replica != "compute-2" or request.id != "server-1":
            context.abort(grpc.StatusCode.NOT_FOUND, "server '%s' does not exist" % request.id)
        return compute_pb2.Server(id=request.id, name="web-1", served_by=replica)


@pytest.fixture
def compute():
    service = Compute()
    server = grpc.server(futures.ThreadPoolExecutor(4))
    compute_pb2_grpc.add_ComputeServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel("127.0.0.1:%d" % port)
    yield service, compute_pb2_grpc.ComputeStub(channel)
    channel.close()
    server.stop(0)


@pytest.fixture
def network(settings_for, compute):
    component = Component(settings_for(group="network", instance_id="network-1"), handle_signals=False)
    server = component.server()
    network_pb2_grpc.add_NetworkServicer_to_server(
        NetworkService(lambda: "network-1", lambda: compute[1], activation=2.0), server)
    component.start(server)
    yield component
    component.drain()


def test_the_sample_registers_its_service(network, registry_state):
    assert registry_state.wait_for(lambda events: any(e.kind == "register" for e in events))
    assert list(registry_state.of("register")[0].message.services) == ["switchboard.sample.network.v1.Network"]


def test_ports_are_created_listed_and_watched_until_active(network, component_channel):
    stub = network_pb2_grpc.NetworkStub(component_channel(network, "router"))

    created = stub.CreatePort(network_pb2.CreatePortRequest(network="private"), timeout=5, metadata=ROUTER)
    listed = stub.ListPorts(network_pb2.ListPortsRequest(), timeout=5)
    watched = list(stub.WatchPort(network_pb2.WatchPortRequest(id=created.id), timeout=5))

    assert (created.served_by, created.created_by, created.status) == ("network-1", "demo", network_pb2.DOWN)
    assert created.mac_address.startswith("fa:16:3e:")
    assert [port.id for port in listed.ports] == [created.id]
    assert [port.status for port in watched] == [network_pb2.DOWN, network_pb2.ACTIVE]
    with pytest.raises(grpc.RpcError) as refused:
        stub.CreatePort(network_pb2.CreatePortRequest(network=""), timeout=5)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as unknown:
        list(stub.WatchPort(network_pb2.WatchPortRequest(id="nope"), timeout=5))
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_port_for_a_server_asks_compute_on_the_replica_that_holds_it(network, component_channel, compute):
    stub = network_pb2_grpc.NetworkStub(component_channel(network, "router"))

    port = stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="server-1",
                                                         host_id="compute-2"), timeout=5)
    with pytest.raises(grpc.RpcError) as missing:
        stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="server-1", host_id="compute-1"),
                        timeout=5)
    with pytest.raises(grpc.RpcError) as no_host:
        stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="server-1"), timeout=5)

    assert (port.device_id, port.device_name, port.host_id) == ("server-1", "web-1", "compute-2")
    assert compute[0].designated == ["compute-2", "compute-1"]
    assert missing.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "compute on 'compute-1' about server 'server-1': NOT_FOUND" in missing.value.details()
    assert no_host.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    listed = stub.ListPorts(network_pb2.ListPortsRequest(device_id="server-1"), timeout=5)
    assert [listed_port.id for listed_port in listed.ports] == [port.id]


def test_without_a_router_a_port_for_a_server_is_refused_with_the_setting_to_set(settings_for, component_channel):
    component = Component(settings_for(group="network", instance_id="network-1"), handle_signals=False)
    server = component.server()
    network_pb2_grpc.add_NetworkServicer_to_server(NetworkService(lambda: "network-1", None), server)
    component.start(server)
    try:
        stub = network_pb2_grpc.NetworkStub(component_channel(component, "router"))
        with pytest.raises(grpc.RpcError) as refused:
            stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="s", host_id="compute-1"),
                            timeout=5)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS" in refused.value.details()
    finally:
        threading.Thread(target=component.drain, daemon=True).start()


def test_a_replica_refuses_ports_past_its_most_and_ids_that_are_not_names(settings_for, component_channel):
    component = Component(settings_for(group="network", instance_id="network-1"), handle_signals=False)
    server = component.server()
    network_pb2_grpc.add_NetworkServicer_to_server(NetworkService(lambda: "network-1", None, max_ports=2), server)
    component.start(server)
    try:
        stub = network_pb2_grpc.NetworkStub(component_channel(component, "router"))
        with pytest.raises(grpc.RpcError) as long_id:
            stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="s" * 129,
                                                          host_id="compute-1"), timeout=5)
        with pytest.raises(grpc.RpcError) as not_a_name:
            stub.CreatePort(network_pb2.CreatePortRequest(network="private", device_id="s",
                                                          host_id="compute-1\nx"), timeout=5)
        for _ in range(2):
            stub.CreatePort(network_pb2.CreatePortRequest(network="private"), timeout=5)
        with pytest.raises(grpc.RpcError) as full:
            stub.CreatePort(network_pb2.CreatePortRequest(network="private"), timeout=5)

        assert long_id.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "device_id is at most 128" in long_id.value.details()
        assert not_a_name.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "host_id" in not_a_name.value.details()
        assert full.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "holds 2 ports, its most" in full.value.details()
        assert len(stub.ListPorts(network_pb2.ListPortsRequest(), timeout=5).ports) == 2
    finally:
        threading.Thread(target=component.drain, daemon=True).start()
