"""Calling the platform through a router: a channel whose calls carry the caller's token."""

from __future__ import annotations

import collections
import os
from typing import Any, Mapping, Optional, Sequence, Tuple

import grpc

from .identity.tunnel import Tunnel
from .tokens import TokenSource

__all__ = ["router_channel", "INSTANCE_HEADER", "GROUP_HEADER"]

#: designates one replica by instance id
INSTANCE_HEADER = "x-switchboard-instance"
#: names the group explicitly; it must be the group that serves the method
GROUP_HEADER = "x-switchboard-group"


def router_channel(target: str, *, tokens: Optional[TokenSource] = None, instance: Optional[str] = None,
                   group: Optional[str] = None, tls: bool = False, trust_bundle: Optional[str] = None,
                   trust_domain: str = "switchboard.local", options: Sequence[Tuple[str, Any]] = (),
                   environ: Optional[Mapping[str, str]] = None) -> grpc.Channel:
    """Returns a channel to a router whose every call carries ``authorization: Bearer <token>`` (a token kept fresh
    by ``tokens``: fetched again before a fifth of its lifetime is left, and after the router answered
    ``UNAUTHENTICATED``), and ``x-switchboard-instance`` / ``x-switchboard-group`` when given (metadata a call sets
    itself wins).

    Args:
        target: the router's ``host:port``
        tokens: the caller's tokens; by default from ``SWITCHBOARD_CLIENT_CREDENTIALS_*`` in ``environ``
        instance: send every call to this replica
        group: name the group explicitly
        tls: whether the router's front door is TLS (the compose stack's is; the local one is plaintext)
        trust_bundle: with ``tls``, the platform CA's PEM file (default ``SWITCHBOARD_IDENTITY_TRUSTBUNDLE``): on
            every connection the router must prove a ``router`` identity of ``trust_domain`` (see
            :mod:`switchboard.identity.tunnel`; a connection refused shows as ``UNAVAILABLE`` and is logged).
            Without a bundle, TLS trusts the system's CAs and checks the host name, for a router behind a proxy
            with a public certificate.
        options: gRPC channel options
        environ: where to read the settings; ``os.environ`` by default
    """
    environ = os.environ if environ is None else environ
    tokens = tokens if tokens is not None else TokenSource.from_env(environ)
    if not tls:
        channel = grpc.insecure_channel(target, options=options)
    else:
        bundle = trust_bundle or environ.get("SWITCHBOARD_IDENTITY_TRUSTBUNDLE")
        if bundle:
            with open(bundle, "rb") as file:
                trust = file.read()
            tunnel = Tunnel(target, "router", trust_domain, lambda: trust)
            channel = _ClosingTunnel(tunnel.channel(options), tunnel)
        else:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(), options=options)
    headers = tuple((key, value) for key, value in ((INSTANCE_HEADER, instance), (GROUP_HEADER, group)) if value)
    return grpc.intercept_channel(channel, _CallerHeaders(tokens, headers))


class _ClosingTunnel(grpc.Channel):
    """A channel through a tunnel that closes the tunnel with it."""

    def __init__(self, channel: grpc.Channel, tunnel: Tunnel) -> None:
        self._channel = channel
        self._tunnel = tunnel

    def subscribe(self, callback, try_to_connect=False):
        return self._channel.subscribe(callback, try_to_connect=try_to_connect)

    def unsubscribe(self, callback):
        return self._channel.unsubscribe(callback)

    def unary_unary(self, method, *args, **kwargs):
        return self._channel.unary_unary(method, *args, **kwargs)

    def unary_stream(self, method, *args, **kwargs):
        return self._channel.unary_stream(method, *args, **kwargs)

    def stream_unary(self, method, *args, **kwargs):
        return self._channel.stream_unary(method, *args, **kwargs)

    def stream_stream(self, method, *args, **kwargs):
        return self._channel.stream_stream(method, *args, **kwargs)

    def close(self):
        self._channel.close()
        self._tunnel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class _Details(collections.namedtuple("_Details", ("method", "timeout", "metadata", "credentials",
                                                   "wait_for_ready", "compression")), grpc.ClientCallDetails):
    pass


class _CallerHeaders(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                     grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds the token and the routing headers to every call. The token is asked for on the calling thread; it
    blocks only when a new one must be fetched."""

    def __init__(self, tokens: TokenSource, headers: Tuple[Tuple[str, str], ...]) -> None:
        self._tokens = tokens
        self._headers = headers

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return self._watched(continuation(self._with_headers(client_call_details), request))

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return self._watched(continuation(self._with_headers(client_call_details), request))

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return self._watched(continuation(self._with_headers(client_call_details), request_iterator))

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return self._watched(continuation(self._with_headers(client_call_details), request_iterator))

    def _with_headers(self, details: grpc.ClientCallDetails) -> _Details:
        metadata = list(details.metadata or ())
        present = {key for key, _ in metadata}
        added = [("authorization", "Bearer " + self._tokens.token())] if "authorization" not in present else []
        added += [(key, value) for key, value in self._headers if key not in present]
        return _Details(details.method, details.timeout, tuple(metadata + added), details.credentials,
                        getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def _watched(self, call: Any) -> Any:
        """A refused token is dropped, so the next call fetches a fresh one (revoked, or expired early)."""
        if hasattr(call, "add_done_callback"):
            call.add_done_callback(self._on_done)
        return call

    def _on_done(self, call: Any) -> None:
        try:
            refused = call.code() == grpc.StatusCode.UNAUTHENTICATED
        except Exception:  # noqa: BLE001 - a call that cannot say how it ended tells nothing about the token
            return
        if refused:
            self._tokens.invalidate()
