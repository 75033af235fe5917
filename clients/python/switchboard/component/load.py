"""Calls in flight and completed, as ``dev.switchboard.component.load.InFlightCalls``."""

from __future__ import annotations

import threading
from typing import Any

import grpc

from .._handlers import Behavior, service_of, wrap

__all__ = ["InFlightCalls"]

_HEALTH = "grpc.health.v1.Health"


class InFlightCalls(grpc.ServerInterceptor):
    """Counts the server's calls in flight, which the component reports as its load and waits on while draining,
    and the calls completed, from which the registry derives calls per second. A call counts from when its handler
    starts until gRPC ends it (status sent, or cancelled); health checks are not counted. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._completed = 0

    @property
    def in_flight(self) -> int:
        """Calls started and not yet ended."""
        return self._in_flight

    @property
    def completed(self) -> int:
        """Calls ended since the process started; never decreases."""
        return self._completed

    def intercept_service(self, continuation, handler_call_details):  # noqa: D102 - grpc.ServerInterceptor
        handler = continuation(handler_call_details)
        if service_of(handler_call_details.method) == _HEALTH:
            return handler
        return wrap(handler, self._counted)

    def _counted(self, behavior: Behavior) -> Behavior:
        def counted(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                self._in_flight += 1
            ended = [False]

            def end() -> None:
                # gRPC runs callbacks once, when the call ends; the flag guards a call that ended before this was added
                with self._lock:
                    if not ended[0]:
                        ended[0] = True
                        self._in_flight -= 1
                        self._completed += 1

            if not context.add_callback(end):
                end()
            return behavior(request, context)

        return counted
