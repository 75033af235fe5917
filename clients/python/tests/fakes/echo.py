"""A service on raw bytes for components under test, and a way to call it."""

from __future__ import annotations

import threading

import grpc


class EchoService:
    """``test.v1.Echo`` on raw bytes: ``Echo`` answers who the caller is said to be, ``Slow`` waits for a gate."""

    NAME = "test.v1.Echo"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.slow_started = threading.Event()

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(self.NAME, {
            "Echo": grpc.unary_unary_rpc_method_handler(self._echo),
            "Slow": grpc.unary_unary_rpc_method_handler(self._slow),
        })

    def _echo(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        principal = dict(context.invocation_metadata()).get("x-switchboard-principal", "-")
        return b"principal=" + principal.encode()

    def _slow(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        self.slow_started.set()
        self.gate.wait(10)
        return b"done"


def call(channel, method, request=b"", timeout=5.0, metadata=None):
    """Calls ``/test.v1.Echo/<method>`` on raw bytes."""
    return channel.unary_unary("/%s/%s" % (EchoService.NAME, method))(request, timeout=timeout, metadata=metadata)
