"""Channels to the registry replicas, as ``dev.switchboard.client.registry.RegistryChannels``."""

from __future__ import annotations

import threading
from typing import Dict, Sequence, Tuple

import grpc

from ..identity.platform_identity import PlatformIdentity
from ..identity.tunnel import Tunnel

__all__ = ["RegistryChannels"]


class RegistryChannels:
    """The configured registry replicas and a mutual-TLS channel to each: the process's certificate on one side, a
    server that proves a ``registry`` identity on the other, checked on every connection (see
    :mod:`switchboard.identity.tunnel`). Callers move from one replica to the next with an index they advance on
    failure.

    A channel is made on first use and kept until :meth:`discard` (after a failure: a new channel connects at once
    rather than after gRPC's own reconnect backoff). A renewed certificate is presented from the next connection on.
    Thread-safe.
    """

    #: the group whose members are registries
    GROUP = "registry"

    def __init__(self, addresses: Sequence[str], identity: PlatformIdentity, timeout: float) -> None:
        """
        Args:
            addresses: registry replicas as ``host:port``
            identity: the process's certificate and trust
            timeout: seconds a connection and its handshake may take
        """
        if not addresses:
            raise ValueError("at least one registry address is required")
        self._addresses = tuple(addresses)
        self._identity = identity
        self._timeout = timeout
        self._lock = threading.Lock()
        self._channels: Dict[str, Tuple[Tunnel, grpc.Channel]] = {}

    def __len__(self) -> int:
        return len(self._addresses)

    def target(self, index: int) -> str:
        """The address of replica ``index % len(self)``."""
        return self._addresses[index % len(self._addresses)]

    def channel(self, index: int) -> grpc.Channel:
        """Returns the channel to replica ``index % len(self)``."""
        target = self.target(index)
        with self._lock:
            held = self._channels.get(target)
            if held is None:
                tunnel = self._identity.tunnel(target, self.GROUP, timeout=self._timeout)
                held = self._channels[target] = (tunnel, tunnel.channel())
            return held[1]

    def last_error(self, index: int) -> "BaseException | None":
        """Why the last connection to replica ``index`` was refused or failed, if it was."""
        with self._lock:
            held = self._channels.get(self.target(index))
        return held[0].last_error if held is not None else None

    def discard(self, index: int) -> None:
        """Closes the channel to replica ``index``; the next :meth:`channel` makes a new one."""
        with self._lock:
            held = self._channels.pop(self.target(index), None)
        if held is not None:
            held[1].close()
            held[0].close()

    def close(self) -> None:
        with self._lock:
            held, self._channels = list(self._channels.values()), {}
        for tunnel, channel in held:
            channel.close()
            tunnel.close()
