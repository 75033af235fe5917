"""What a ``grpc.Server`` the user built serves: its services, its health, its interceptors.

grpcio has no public way to ask a server what it serves (and Debian ships no reflection service), so this module
reads the handlers the user registered from the server's state: the one place in the package that touches grpcio's
private attributes, checked against grpcio 1.51 (``_state.generic_handlers``, ``_state.interceptor_pipeline``) and
the ``_state.registered_method_handlers`` of later releases. A method path counts as served when a registered
handler answers it through the public ``GenericRpcHandler.service``; candidates are the methods those handlers list
and those of every protobuf service whose generated module is imported.
"""

from __future__ import annotations

import sys
from collections import namedtuple
from typing import Any, Callable, Iterable, List, Optional, Set, Tuple

import grpc

__all__ = ["INFRASTRUCTURE_SERVICES", "served_services", "health_check", "interceptors_of"]

#: services every server may run, which say nothing about what the component offers
INFRASTRUCTURE_SERVICES = frozenset({"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection"})

_HEALTH_CHECK = "/grpc.health.v1.Health/Check"


class _CallDetails(namedtuple("_CallDetails", ("method", "invocation_metadata")), grpc.HandlerCallDetails):
    pass


def served_services(server: grpc.Server) -> Tuple[str, ...]:
    """Returns the full names of the services ``server`` runs, infrastructure left out, sorted.

    Raises:
        TypeError: if ``server`` is not a grpcio server whose handlers can be read
    """
    handlers = _generic_handlers(server)
    registered = _registered_methods(server)
    candidates: Set[str] = set(registered) | set(_listed_methods(handlers)) | set(_imported_methods())
    services = {_service(path) for path in candidates
                if path in registered or any(_answers(handler, path) for handler in handlers)}
    return tuple(sorted(services - INFRASTRUCTURE_SERVICES))


def health_check(server: grpc.Server) -> Optional[Callable[[], Optional[int]]]:
    """Returns a function that asks the server's own health service for the status of the whole server (service
    ``""``) and returns it (``SERVING`` is 1, ``NOT_SERVING`` 2), or ``None`` when it has no answer; ``None`` when
    the server runs no health service. The handler is called directly, as gRPC would, so any implementation works
    (this package's, grpc_health's, the user's own)."""
    handler = _registered_methods(server).get(_HEALTH_CHECK)
    if handler is None:
        handler = next((found for found in (_answers(each, _HEALTH_CHECK) for each in _generic_handlers(server))
                        if found is not None), None)
    if handler is None or handler.unary_unary is None:
        return None

    def check() -> Optional[int]:
        context = _DirectContext()
        try:
            request = handler.request_deserializer(b"") if handler.request_deserializer else b""
            response = handler.unary_unary(request, context)
        except Exception:  # noqa: BLE001 - an unanswered check is no answer, whatever went wrong
            return None
        if context.code not in (None, grpc.StatusCode.OK) or response is None:
            return None
        return getattr(response, "status", None)

    return check


def interceptors_of(server: grpc.Server) -> Optional[Tuple[Any, ...]]:
    """Returns the server's interceptors in order, or ``None`` when they cannot be read."""
    state = getattr(server, "_state", None)
    if not hasattr(state, "interceptor_pipeline"):
        return None
    pipeline = state.interceptor_pipeline  # None when the server was built without interceptors
    return tuple(getattr(pipeline, "interceptors", ())) if pipeline is not None else ()


def _generic_handlers(server: grpc.Server) -> List[Any]:
    state = getattr(server, "_state", None)
    handlers = getattr(state, "generic_handlers", None)
    if handlers is None:
        raise TypeError("cannot read the services of %r; pass services=[...]" % (server,))
    return list(handlers)


def _registered_methods(server: grpc.Server) -> dict:
    return dict(getattr(getattr(server, "_state", None), "registered_method_handlers", None) or {})


def _listed_methods(handlers: Iterable[Any]) -> Iterable[str]:
    """Method paths of the handlers ``grpc.method_handlers_generic_handler`` makes, which list theirs."""
    for handler in handlers:
        yield from (getattr(handler, "_method_handlers", None) or {}).keys()


def _imported_methods() -> Iterable[str]:
    """``/pkg.Service/Method`` of every service of every generated protobuf module imported so far."""
    for module in list(sys.modules.values()):
        descriptor = getattr(module, "DESCRIPTOR", None)
        services = getattr(descriptor, "services_by_name", None)
        if not isinstance(getattr(module, "__name__", None), str) or not module.__name__.endswith("_pb2") \
                or not services:
            continue
        for service in services.values():
            for method in service.methods:
                yield "/%s/%s" % (service.full_name, method.name)


def _answers(handler: Any, path: str) -> Optional[grpc.RpcMethodHandler]:
    try:
        return handler.service(_CallDetails(path, ()))
    except Exception:  # noqa: BLE001 - a handler that cannot answer this path does not serve it
        return None


def _service(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


class _DirectContext:
    """The little of a ``ServicerContext`` a health check uses, for calling its handler outside a call."""

    def __init__(self) -> None:
        self.code: Optional[grpc.StatusCode] = None

    def abort(self, code: grpc.StatusCode, details: str = "") -> None:
        self.code = code
        raise RuntimeError(details)

    def set_code(self, code: grpc.StatusCode) -> None:
        self.code = code

    def set_details(self, details: str) -> None:
        pass

    def invocation_metadata(self) -> Tuple[()]:
        return ()

    def is_active(self) -> bool:
        return True

    def time_remaining(self) -> float:
        return 1.0

    def add_callback(self, callback: Callable[[], None]) -> bool:
        return False

    def peer(self) -> str:
        return "local"

    def auth_context(self) -> dict:
        return {}
