"""Certificates from the auth group's CA, as ``dev.switchboard.client.identity.RemoteCertificateIssuer``."""

from __future__ import annotations

from typing import List, Sequence

import grpc

from ..auth.v1 import auth_pb2, auth_pb2_grpc
from ..tokens import TokenRefused, TokenSource, TokenUnavailable
from .tunnel import Tunnel
from .spiffe import SpiffeId
from .trust import TrustBundle

__all__ = ["CertificateIssuer", "CertificateRefused", "CertificateUnavailable"]


class CertificateUnavailable(RuntimeError):
    """No CA gave a certificate; the message is the last answer."""


class CertificateRefused(CertificateUnavailable):
    """A refusal every CA replica would repeat: the CA answered ``PERMISSION_DENIED`` (the token has no
    ``register:<group>``) or ``INVALID_ARGUMENT``, or the token endpoint refused the client. Asking again does not
    help until the client, its secret or its grants are fixed."""


class CertificateIssuer:
    """Calls ``switchboard.auth.v1.Certificates/IssueCertificate`` on the auth replicas in turn, from the one that
    answered last. Each call is TLS without a client certificate (this is how a process gets its first one) to a
    server that proved an ``auth`` identity from the trust bundle (see :mod:`switchboard.identity.tunnel`), with
    ``authorization: Bearer <token>``: the process never sends its token to, or takes a certificate from, anyone
    else.

    Thread-safe; :meth:`issue` blocks for at most the timeout per address.
    """

    #: the group whose members may issue certificates
    GROUP = "auth"

    def __init__(self, addresses: Sequence[str], tokens: TokenSource, trust: TrustBundle, timeout: float) -> None:
        """
        Args:
            addresses: the auth replicas' gRPC addresses (``switchboard.identity.ca-addresses``)
            tokens: the process's tokens; they must hold ``register:<group>`` for the group certified
            trust: what the CA's certificate must verify against
            timeout: seconds each attempt may take
        """
        if not addresses:
            raise ValueError("no CA address (switchboard.identity.ca-addresses)")
        self._addresses = tuple(addresses)
        self._tokens = tokens
        self._trust = trust
        self._timeout = timeout
        self._preferred = 0

    def issue(self, identity: SpiffeId, csr_der: bytes) -> auth_pb2.IssueCertificateResponse:
        """Returns the CA's answer to a request for ``identity``'s certificate.

        Raises:
            CertificateRefused: when a replica, or the token endpoint, refused in a way every replica would repeat
            CertificateUnavailable: when every replica failed
        """
        request = auth_pb2.IssueCertificateRequest(group=identity.group, instance_id=identity.instance, csr=csr_der)
        failures: List[str] = []
        for step in range(len(self._addresses)):
            index = (self._preferred + step) % len(self._addresses)
            address = self._addresses[index]
            try:
                response = self._call(address, request)
            except grpc.RpcError as error:
                code, details = error.code(), error.details()
                if code == grpc.StatusCode.UNAUTHENTICATED:
                    self._tokens.invalidate()  # the next attempt fetches a fresh token
                if code in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT):
                    # every replica would answer the same
                    raise CertificateRefused("the CA at %s refused: %s %s" % (address, code.name, details)) from None
                failures.append("%s: %s %s" % (address, code.name, details))
                continue
            except TokenRefused as error:
                raise CertificateRefused("no token to ask the CA with: %s" % error) from None
            except TokenUnavailable as error:
                raise CertificateUnavailable("no token to ask the CA with: %s" % error) from None
            except (OSError, ValueError) as error:  # unreachable, not TLS, not the auth group
                failures.append("%s: %s" % (address, error))
                continue
            if not response.certificate_chain:
                failures.append("%s: answered without a certificate" % address)
                continue
            self._preferred = index
            return response
        raise CertificateUnavailable("no CA answered (%s)" % "; ".join(failures))

    def _call(self, address: str, request: auth_pb2.IssueCertificateRequest) -> auth_pb2.IssueCertificateResponse:
        token = self._tokens.token()
        # a tunnel and a channel per call: a certificate is asked for once in hours
        with Tunnel(address, self.GROUP, self._trust.trust_domain, self._trust.pem, timeout=self._timeout) as tunnel:
            with tunnel.channel() as channel:
                try:
                    return auth_pb2_grpc.CertificatesStub(channel).IssueCertificate(
                        request, timeout=self._timeout, metadata=(("authorization", "Bearer " + token),))
                except grpc.RpcError as error:
                    if error.code() == grpc.StatusCode.UNAVAILABLE and tunnel.last_error is not None:
                        raise tunnel.last_error from None  # what the tunnel saw: unreachable, or not the auth group
                    raise
