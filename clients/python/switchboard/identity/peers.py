"""Who may call a component's gRPC server, as ``dev.switchboard.client.identity.PeerAuthorization``."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence, Tuple

import grpc

from .._handlers import Behavior, service_of, wrap
from .spiffe import SpiffeId

__all__ = ["PeerAuthorization", "peer_of", "principal_of", "ROUTER", "PRINCIPAL_HEADER"]

#: the group that forwards calls on behalf of callers
ROUTER = "router"
#: the client id the router authenticated the caller as; only a router may send it
PRINCIPAL_HEADER = "x-switchboard-principal"
_HEALTH = "grpc.health.v1.Health"


def peer_of(context: grpc.ServicerContext, trust_domain: str) -> Optional[SpiffeId]:
    """Returns the platform identity the call's TLS peer proved, or ``None``.

    The handshake already checked the chain against the trust bundle; the identity is the certificate's one URI SAN
    (gRPC's ``peer_uri`` auth property), and must be of ``trust_domain``.
    """
    uris = [value.decode("utf-8", "replace") for value in (context.auth_context() or {}).get("peer_uri", ())]
    identity = SpiffeId.of_uris(uris)
    return identity if identity is not None and identity.trust_domain == trust_domain else None


def principal_of(context: grpc.ServicerContext) -> Optional[str]:
    """Returns the client id the router says the call comes from (``x-switchboard-principal``), or ``None``.

    Behind :class:`PeerAuthorization` the header is only there when a router sent it."""
    for key, value in context.invocation_metadata() or ():
        if key == PRINCIPAL_HEADER:
            return value
    return None


class PeerAuthorization(grpc.ServerInterceptor):
    """Admits calls to a component only from platform identities of the ``router`` group and of the allowed
    groups: no platform certificate is ``UNAUTHENTICATED``, another group ``PERMISSION_DENIED``. The standard health
    service answers any caller the TLS handshake let in (it requires a certificate of the platform CA).

    ``x-switchboard-principal`` is removed unless the peer is a router: the handler sees the call's metadata without
    it. (Interceptors put after this one are asked before any handler runs, with the metadata as sent; read the
    principal in handlers, or with :func:`principal_of`.)

    Put it first. Thread-safe.
    """

    def __init__(self, trust_domain: str, allowed_callers: Iterable[str] = ()) -> None:
        """
        Args:
            trust_domain: the platform's trust domain
            allowed_callers: groups that may call directly, besides ``router``
        """
        self._trust_domain = trust_domain
        self._allowed = frozenset(allowed_callers) | {ROUTER}

    @property
    def allowed_groups(self) -> frozenset:
        return self._allowed

    def intercept_service(self, continuation, handler_call_details):  # noqa: D102 - grpc.ServerInterceptor
        checked = service_of(handler_call_details.method) != _HEALTH
        return wrap(continuation(handler_call_details), lambda behavior: self._guard(behavior, checked))

    def _guard(self, behavior: Behavior, checked: bool) -> Behavior:
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            peer = peer_of(context, self._trust_domain)
            if checked and peer is None:
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              "a platform client certificate is required: call through the router")
            if checked and peer.group not in self._allowed:
                context.abort(grpc.StatusCode.PERMISSION_DENIED,
                              "group '%s' may not call this component directly: call through the router" % peer.group)
            if peer is None or peer.group != ROUTER:
                context = _WithoutPrincipal(context)
            return behavior(request, context)

        return guarded


class _WithoutPrincipal(grpc.ServicerContext):
    """A call's context whose metadata lacks ``x-switchboard-principal``; everything else is the call's own."""

    def __init__(self, delegate: grpc.ServicerContext) -> None:
        self._delegate = delegate
        self._metadata: Tuple[Any, ...] = tuple(
            item for item in (delegate.invocation_metadata() or ()) if item[0] != PRINCIPAL_HEADER)

    def invocation_metadata(self) -> Sequence[Any]:
        return self._metadata

    def __getattr__(self, name: str) -> Any:  # whatever grpcio adds to its contexts later
        return getattr(self._delegate, name)


def _delegating(name: str) -> Any:
    def method(self: _WithoutPrincipal, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._delegate, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in grpc.ServicerContext.__abstractmethods__ - {"invocation_metadata"}:
    setattr(_WithoutPrincipal, _name, _delegating(_name))
_WithoutPrincipal.__abstractmethods__ = frozenset()
