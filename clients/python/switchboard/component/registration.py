"""What a replica registers, as ``dev.switchboard.component.registration.ComponentRegistration``."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Tuple

from ..registry.v1 import registry_pb2

__all__ = ["Registration"]


@dataclass(frozen=True)
class Registration:
    """A replica's group, instance id, gRPC address and the services its server actually runs. Immutable."""

    group: str
    instance_id: str
    host: str
    port: int
    services: Tuple[str, ...]
    management_url: str = ""
    zone: str = ""
    weight: int = 100
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def to_request(self, status: int) -> registry_pb2.RegisterRequest:
        """Returns the Register request for this registration reporting ``status`` (an ``InstanceStatus``)."""
        return registry_pb2.RegisterRequest(
            group=self.group, instance_id=self.instance_id, host=self.host, port=self.port,
            services=list(self.services), management_url=self.management_url, zone=self.zone, weight=self.weight,
            metadata=dict(self.metadata), status=status)

    def __str__(self) -> str:
        return "%s/%s at %s:%d serving %s" % (self.group, self.instance_id, self.host, self.port, list(self.services))
