"""The network sample: an OpenStack-style service joining Switchboard as group ``network``.

Run it with the component's settings in the environment, as the launcher gives the Java samples theirs::

    SWITCHBOARD_COMPONENT_CREDENTIALS_CLIENTID=network \\
    SWITCHBOARD_COMPONENT_CREDENTIALS_CLIENTSECRET=... \\
    SWITCHBOARD_IDENTITY_TRUSTBUNDLE=.switchboard/ca.pem \\
    SWITCHBOARD_COMPONENT_INSTANCEID=network-1 SPRING_GRPC_SERVER_PORT=0 \\
    /usr/bin/python3 examples/network_sample/server.py

State is in memory per replica; every reply names the replica that served it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
import uuid

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the package, uninstalled

import network_pb2  # noqa: E402
import network_pb2_grpc  # noqa: E402

import switchboard  # noqa: E402


class NetworkService(network_pb2_grpc.NetworkServicer):
    """Networks in memory; thread-safe."""

    def __init__(self, replica: str) -> None:
        self._replica = replica
        self._lock = threading.Lock()
        self._networks = {}

    def CreateNetwork(self, request, context):  # noqa: N802 - the gRPC method
        if not request.name:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name is required")
        try:
            cidr = str(ipaddress.IPv4Network(request.cidr or "10.0.0.0/24"))
        except ValueError as error:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "cidr: %s" % error)
        network = network_pb2.NetworkInfo(id=str(uuid.uuid4()), name=request.name, cidr=cidr, status="ACTIVE",
                                          created_by=switchboard.principal_of(context) or "")
        with self._lock:
            self._networks[network.id] = network
        return self._served(network)

    def GetNetwork(self, request, context):  # noqa: N802 - the gRPC method
        with self._lock:
            network = self._networks.get(request.id)
        if network is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "network '%s' does not exist" % request.id)
        return self._served(network)

    def ListNetworks(self, request, context):  # noqa: N802 - the gRPC method
        with self._lock:
            networks = [self._served(network) for network in self._networks.values()]
        return network_pb2.ListNetworksResponse(networks=networks, served_by=self._replica)

    def _served(self, network):
        answer = network_pb2.NetworkInfo()
        answer.CopyFrom(network)
        answer.served_by = self._replica
        return answer


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    component = switchboard.Component(group="network")  # everything else from SWITCHBOARD_* variables
    server = component.server()
    network_pb2_grpc.add_NetworkServicer_to_server(NetworkService(component.settings.identity.instance_id), server)
    component.start(server)  # certificate, mutual TLS port, registration; SIGTERM drains
    component.wait()


if __name__ == "__main__":
    main()
