"""The standard gRPC health service (``grpc.health.v1.Health``).

Debian's python3-grpcio ships no ``grpc_health`` package, so this one serves the protocol itself; when
grpcio-health-checking is installed its generated messages are used instead, so both never define the same protobuf
types in one process.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterator

import grpc

try:  # pragma: no cover - depends on what is installed
    from grpc_health.v1 import health_pb2, health_pb2_grpc
except ImportError:  # Debian: no grpc_health
    from .v1 import health_pb2, health_pb2_grpc

__all__ = ["HealthServicer", "health_pb2", "health_pb2_grpc", "SERVING", "NOT_SERVING"]

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
_SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


class HealthServicer(health_pb2_grpc.HealthServicer):
    """Answers ``Check`` and ``Watch`` from statuses set with :meth:`set`; the server as a whole (service ``""``)
    starts ``SERVING``. The same contract as ``grpc_health.v1.health.HealthServicer``. Thread-safe."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._statuses: Dict[str, int] = {"": SERVING}
        self._shutting_down = False

    def set(self, service: str, status: int) -> None:
        """Sets the status of ``service`` (``""`` for the whole server); ignored once shutting down."""
        with self._changed:
            if not self._shutting_down:
                self._statuses[service] = status
                self._changed.notify_all()

    def enter_graceful_shutdown(self) -> None:
        """Marks every service ``NOT_SERVING`` for good: the server is about to stop."""
        with self._changed:
            self._shutting_down = True
            self._statuses = {service: NOT_SERVING for service in self._statuses}
            self._changed.notify_all()

    def add_to_server(self, server: grpc.Server) -> "HealthServicer":
        health_pb2_grpc.add_HealthServicer_to_server(self, server)
        return self

    def Check(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 - the gRPC method
        with self._changed:
            status = self._statuses.get(request.service)
        if status is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service %r" % request.service)
        return health_pb2.HealthCheckResponse(status=status)

    def Watch(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:  # noqa: N802 - the gRPC method
        last = None
        while context.is_active():
            with self._changed:
                status = self._statuses.get(request.service, _SERVICE_UNKNOWN)
                if status == last:
                    # woken by a change, or every second to notice a caller that left
                    self._changed.wait(timeout=1.0)
                    continue
            last = status
            yield health_pb2.HealthCheckResponse(status=status)
