"""Calls the network sample through a router: ``client.py <router host:port> [instance]``.

The caller's client comes from ``SWITCHBOARD_COMPONENT_CREDENTIALS_CLIENTID``/``CLIENTSECRET``/``TOKENURI`` (a
client granted ``call:network/*``); ``--tls`` with ``SWITCHBOARD_IDENTITY_TRUSTBUNDLE`` for a TLS front door.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the package, uninstalled

import network_pb2  # noqa: E402
import network_pb2_grpc  # noqa: E402

import switchboard  # noqa: E402


def main(argv) -> None:
    tls = "--tls" in argv
    arguments = [argument for argument in argv if argument != "--tls"]
    target = arguments[0] if arguments else "127.0.0.1:9100"
    instance = arguments[1] if len(arguments) > 1 else None
    with switchboard.router_channel(target, instance=instance, tls=tls) as channel:
        networks = network_pb2_grpc.NetworkStub(channel)
        created = networks.CreateNetwork(network_pb2.CreateNetworkRequest(name="private", cidr="10.1.0.0/24"),
                                         timeout=5)
        print("created", created.id, "on", created.served_by, "for", created.created_by)
        print("listed on", networks.ListNetworks(network_pb2.ListNetworksRequest(), timeout=5).served_by)


if __name__ == "__main__":
    main(sys.argv[1:])
