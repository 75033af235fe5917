"""Calls the network sample through a router: ``client.py [router host:port] [--tls]``.

The caller's client comes from ``SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID``/``CLIENTSECRET``/``TOKENURI`` (a client
granted ``call:network/*``, such as the local platform's ``demo``: its secret is in .switchboard/credentials.env);
``--tls`` with ``SWITCHBOARD_IDENTITY_TRUSTBUNDLE`` for a TLS front door, as the compose stack's.
"""

from __future__ import annotations

import sys

import network_pb2
import network_pb2_grpc
import switchboard
from switchboard.router import INSTANCE_HEADER


def main(argv) -> None:
    tls = "--tls" in argv
    arguments = [argument for argument in argv if argument != "--tls"]
    target = arguments[0] if arguments else "127.0.0.1:9100"
    with switchboard.router_channel(target, tls=tls) as channel:
        network = network_pb2_grpc.NetworkStub(channel)
        created = network.CreatePort(network_pb2.CreatePortRequest(network="private"), timeout=5)
        print("created port", created.id, created.mac_address, "on", created.served_by, "for", created.created_by)
        # the port is known to the replica that created it: designate that one to watch the port become ACTIVE
        for port in network.WatchPort(network_pb2.WatchPortRequest(id=created.id), timeout=5,
                                      metadata=((INSTANCE_HEADER, created.served_by),)):
            print("  port", port.id, network_pb2.PortStatus.Name(port.status), "on", port.served_by)


if __name__ == "__main__":
    main(sys.argv[1:])
