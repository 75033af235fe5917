"""Wrapping a gRPC method handler's behaviour, for server interceptors that must see the call's context.

grpcio's ``ServerInterceptor`` sees only the method name and metadata; the peer's certificate and the call's end are
known to the behaviour, which gets the ``ServicerContext``. So the interceptors here return the handler with its
behaviour wrapped, whatever kind of call it is.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import grpc

Behavior = Callable[[Any, grpc.ServicerContext], Any]

_FACTORIES = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


def wrap(handler: Optional[grpc.RpcMethodHandler],
         around: Callable[[Behavior], Behavior]) -> Optional[grpc.RpcMethodHandler]:
    """Returns ``handler`` with its behaviour replaced by ``around(behaviour)``; ``None`` stays ``None``."""
    if handler is None:
        return None
    for kind, factory in _FACTORIES.items():
        behavior = getattr(handler, kind, None)
        if behavior is not None:
            return factory(around(behavior), request_deserializer=handler.request_deserializer,
                           response_serializer=handler.response_serializer)
    return handler


def service_of(method: str) -> str:
    """``/pkg.Service/Method`` -> ``pkg.Service``."""
    return method.lstrip("/").split("/", 1)[0]
