"""Switchboard for Python: a gRPC server joins the platform as a component, and clients call through the router.

* :class:`TokenSource` - OAuth2 client-credentials tokens from the auth service, renewed before they run out.
* :class:`PlatformIdentity` - a key and a certificate from the platform CA, renewed at two thirds of its life.
* :class:`Component` - wraps a ``grpc.Server``: mutual TLS, who may call, registration, heartbeats, drain.
* :func:`router_channel` - a channel to a router with the caller's token on every call.
* :class:`Settings` - configuration from keyword arguments and the ``SWITCHBOARD_*`` variables the Java side reads.

The protocol behind each is described in README.md ("The protocol, for any language").
"""

from .backoff import Backoff
from .component import Component, Registration
from .config import Credentials, Settings
from .identity import (CertificateRefused, CertificateUnavailable, IdentityMismatch, PeerAuthorization,
                       PlatformIdentity, SpiffeId, TrustBundle, peer_of, principal_of)
from .registry.v1.registry_pb2 import DOWN, OUT_OF_SERVICE, STARTING, UP
from .router import router_channel
from .tokens import TokenRefused, TokenSource, TokenUnavailable

__version__ = "0.1.0"

__all__ = ["Backoff", "CertificateRefused", "CertificateUnavailable", "Component", "Credentials", "DOWN",
           "IdentityMismatch", "OUT_OF_SERVICE", "PeerAuthorization", "PlatformIdentity", "Registration", "STARTING",
           "Settings", "SpiffeId", "TokenRefused", "TokenSource", "TokenUnavailable", "TrustBundle", "UP", "peer_of",
           "principal_of", "router_channel"]
