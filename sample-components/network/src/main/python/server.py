"""The network sample: an OpenStack-style network service in Python that joins Switchboard as group ``network``.

Ports live in the memory of the replica that created them; every reply names the replica that served it. A port for
a compute server is checked with compute itself, through the router, on the compute replica that holds the server.

Its settings come from the environment, as the launcher and the compose stack give them (clients/python/README.md):
the component's own, and where the router is, under the names the Java samples read for the same thing:
``SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS`` (without it, a port for a server is FAILED_PRECONDITION) and
``SWITCHBOARD_GRPC_CLIENTS_ROUTER_TLS_ENABLED`` (``true`` by default: the compose stack's routers serve TLS)::

    SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID=network SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET=... \\
    SWITCHBOARD_IDENTITY_TRUSTBUNDLE=.switchboard/ca.pem SWITCHBOARD_COMPONENT_INSTANCEID=network-1 \\
    SPRING_GRPC_SERVER_PORT=0 PYTHONPATH=clients/python \\
      /usr/bin/python3 sample-components/network/src/main/python/server.py
"""

from __future__ import annotations

import logging
import os
import random
import re
import sys
import threading
import time
import uuid
from typing import Callable, Optional

import grpc

import compute_pb2
import compute_pb2_grpc
import network_pb2
import network_pb2_grpc
import switchboard
from switchboard.router import INSTANCE_HEADER

MAX_NETWORK_LENGTH = 63
# ids are instance ids and server ids: short names; the instance id also travels as a metadata value
MAX_ID_LENGTH = 128
ID = re.compile(r"[A-Za-z0-9._:-]*")
# a replica keeps at most this many ports (memory, and ListPorts' reply stays far below gRPC's 4 MiB)
MAX_PORTS = 10000


class NetworkService(network_pb2_grpc.NetworkServicer):
    """Ports in memory. Thread-safe: grpcio runs each call on a thread of the server's pool."""

    def __init__(self, served_by: Callable[[], str], compute: Optional[Callable[[], compute_pb2_grpc.ComputeStub]],
                 activation: float = 0.2, max_ports: int = MAX_PORTS) -> None:
        """
        Args:
            served_by: this replica's instance id, asked on every reply
            compute: a compute stub whose calls go through the router, or None when no router is configured
            activation: seconds a new port stays DOWN
            max_ports: ports this replica keeps at most; more are refused with RESOURCE_EXHAUSTED
        """
        self._served_by = served_by
        self._compute = compute
        self._activation = activation
        self._max_ports = max_ports
        self._lock = threading.Lock()
        self._ports = {}  # id -> (Port as created, monotonic time it becomes ACTIVE), oldest first

    def CreatePort(self, request, context):  # noqa: N802 - the gRPC method
        if not request.network or len(request.network) > MAX_NETWORK_LENGTH:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "network is required, at most 63 characters")
        for field in ("device_id", "host_id"):
            value = getattr(request, field)
            if len(value) > MAX_ID_LENGTH or not ID.fullmatch(value):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "%s is at most %d letters, digits, '.', '_', ':' "
                                                                "or '-'" % (field, MAX_ID_LENGTH))
        with self._lock:
            if len(self._ports) >= self._max_ports:
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "this replica holds %d ports, its most"
                              % self._max_ports)
        device_name = self._server_name(request, context) if request.device_id else ""
        port = network_pb2.Port(id=str(uuid.uuid4()), network=request.network, mac_address=_mac(),
                                device_id=request.device_id, device_name=device_name, host_id=request.host_id,
                                created_by=switchboard.principal_of(context) or "")
        with self._lock:
            if len(self._ports) >= self._max_ports:  # others may have filled it while compute answered
                context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "this replica holds %d ports, its most"
                              % self._max_ports)
            self._ports[port.id] = (port, time.monotonic() + self._activation)
        return self._served(port.id)

    def ListPorts(self, request, context):  # noqa: N802 - the gRPC method
        with self._lock:
            ids = [port_id for port_id, (port, _) in self._ports.items()
                   if not request.device_id or port.device_id == request.device_id]
        return network_pb2.ListPortsResponse(ports=[self._served(port_id) for port_id in ids],
                                             served_by=self._served_by())

    def WatchPort(self, request, context):  # noqa: N802 - the gRPC method
        with self._lock:
            known = self._ports.get(request.id)
        if known is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "port '%s' does not exist on this replica" % request.id)
        port = self._served(request.id)
        yield port
        if port.status == network_pb2.DOWN:
            time.sleep(max(0.0, known[1] - time.monotonic()))
            if context.is_active():
                yield self._served(request.id)

    def _server_name(self, request, context) -> str:
        """Asks compute, through the router, for the server on the replica that holds it."""
        if not request.host_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "host_id (the compute replica that holds the server) "
                                                            "is required with device_id")
        if self._compute is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "this replica has no router to ask compute through "
                                                               "(SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS)")
        remaining = context.time_remaining()  # the caller's deadline bounds this call too
        timeout = 5.0 if remaining is None else min(5.0, remaining)
        try:
            server = self._compute().GetServer(compute_pb2.GetServerRequest(id=request.device_id), timeout=timeout,
                                               metadata=((INSTANCE_HEADER, request.host_id),))
        except grpc.RpcError as error:
            refused = error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
                                       grpc.StatusCode.INVALID_ARGUMENT)
            context.abort(grpc.StatusCode.FAILED_PRECONDITION if refused else grpc.StatusCode.UNAVAILABLE,
                          "compute on '%s' about server '%s': %s %s" % (request.host_id, request.device_id,
                                                                       error.code().name, error.details()))
        return server.name

    def _served(self, port_id: str):
        with self._lock:
            port, active_at = self._ports[port_id]
        answer = network_pb2.Port()
        answer.CopyFrom(port)
        answer.status = network_pb2.ACTIVE if time.monotonic() >= active_at else network_pb2.DOWN
        answer.served_by = self._served_by()
        return answer


def _mac() -> str:
    return "fa:16:3e:%02x:%02x:%02x" % (random.randrange(256), random.randrange(256), random.randrange(256))


def compute_through_router(component: switchboard.Component) -> Optional[Callable[[], compute_pb2_grpc.ComputeStub]]:
    """A compute stub on a channel to the router with the component's own token, opened at the first call; None
    when no router is configured."""
    address = os.environ.get("SWITCHBOARD_GRPC_CLIENTS_ROUTER_ADDRESS", "").strip()
    if not address:
        return None
    tls = os.environ.get("SWITCHBOARD_GRPC_CLIENTS_ROUTER_TLS_ENABLED", "true").strip().lower() != "false"
    lock, stub = threading.Lock(), []

    def compute() -> compute_pb2_grpc.ComputeStub:
        with lock:
            if not stub:  # component.tokens exists once the component started, before any call can arrive
                channel = switchboard.router_channel(address, tokens=component.tokens, tls=tls,
                                                     trust_domain=component.settings.identity.trust_domain)
                stub.append(compute_pb2_grpc.ComputeStub(channel))
            return stub[0]

    return compute


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    component = switchboard.Component(group="network")  # everything else from SWITCHBOARD_* variables
    server = component.server()
    replica = lambda: (component.registration or component.settings.identity).instance_id  # noqa: E731
    network_pb2_grpc.add_NetworkServicer_to_server(NetworkService(replica, compute_through_router(component)), server)
    try:
        component.start(server)  # token, certificate, mutual-TLS port, registration; SIGTERM drains
    except (switchboard.CertificateUnavailable, switchboard.TokenUnavailable) as error:
        logging.getLogger("network").error("Cannot join the platform: %s", error)
        sys.exit(1)
    component.wait()


if __name__ == "__main__":
    main()
