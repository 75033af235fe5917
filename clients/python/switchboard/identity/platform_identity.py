"""This process's identity on the platform, as ``dev.switchboard.client.identity.PlatformIdentity``."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import grpc

from . import openssl
from .issuer import CertificateIssuer, CertificateRefused, CertificateUnavailable
from .spiffe import SpiffeId
from .trust import TrustBundle
from .tunnel import Tunnel

__all__ = ["PlatformIdentity", "Credential"]

_log = logging.getLogger(__name__)

_MIN_RETRY = 0.2
_MAX_RETRY = 10.0
#: the shortest wait before a renewal, whatever the certificate's life: never a hot loop against the CA
_MIN_RENEWAL_DELAY = 1.0


@dataclass(frozen=True)
class Credential:
    """One certificate, its key, and the trust in force when it arrived. Immutable: a renewal makes a new one."""

    #: counts credentials held by this process, from 1
    generation: int
    spiffe_id: SpiffeId
    serial: str
    private_key_pem: bytes
    #: the certificate first, then any intermediates, PEM
    chain_pem: bytes
    trust_pem: bytes
    #: seconds since the epoch
    received: float
    not_after: float

    def __repr__(self) -> str:  # never the key
        return "Credential(generation=%d, %s, serial=%s)" % (self.generation, self.spiffe_id, self.serial)


class PlatformIdentity:
    """A key of the process's own and a short-lived certificate from the platform CA naming its group and instance.

    :meth:`start` gets the first certificate (retrying until the CA answers or the timeout passes); a renewal then
    runs at ``renew_at`` of each certificate's life, counted from its arrival, with a new key, and retries with
    backoff while the CA cannot be reached. :meth:`server_credentials` make a running gRPC server present the newest
    certificate from its next handshake on, and so do the :meth:`tunnel` channels to platform servers.

    Thread-safe. :meth:`start` and :meth:`renew` block; everything else returns at once.
    """

    def __init__(self, spiffe_id: SpiffeId, issuer: CertificateIssuer, trust: TrustBundle, *,
                 renew_at: float = 0.66, clock: Callable[[], float] = time.time) -> None:
        """
        Args:
            spiffe_id: the identity to hold
            issuer: where certificates come from
            trust: what an issued chain must lead to; CA certificates the issuer sends are added to it
            renew_at: the share of a certificate's life after which it is renewed, in (0, 1)
            clock: wall-clock seconds, compared with certificates' expiry
        """
        if not 0 < renew_at < 1:
            raise ValueError("renew_at must be in (0, 1): %r" % renew_at)
        if spiffe_id.trust_domain != trust.trust_domain:
            raise ValueError("identity %s is not of trust domain %s" % (spiffe_id, trust.trust_domain))
        self._id = spiffe_id
        self._issuer = issuer
        self._trust = trust
        self._renew_at = renew_at
        self._clock = clock
        self._renewing = threading.Lock()
        self._changed = threading.Condition()
        self._current: Optional[Credential] = None
        self._closed = False
        self._thread: Optional[threading.Thread] = None

    @property
    def spiffe_id(self) -> SpiffeId:
        return self._id

    @property
    def current(self) -> Credential:
        """The credential presented now.

        Raises:
            RuntimeError: before the first certificate
        """
        credential = self._current
        if credential is None:
            raise RuntimeError("no certificate yet: start() the identity first")
        return credential

    @property
    def private_key_pem(self) -> bytes:
        return self.current.private_key_pem

    @property
    def certificate_chain_pem(self) -> bytes:
        return self.current.chain_pem

    @property
    def trust_bundle_pem(self) -> bytes:
        """The CA certificates trusted now."""
        return self._trust.pem()

    @property
    def trust_domain(self) -> str:
        return self._trust.trust_domain

    def renewal_due(self) -> Optional[float]:
        """When the current certificate is due for renewal (epoch seconds): ``renew_at`` of the way from its arrival
        to its expiry (a CA backdates notBefore for clock skew, which must not shorten the wait), at least a second
        after it arrived; ``None`` before the first certificate."""
        credential = self._current
        return None if credential is None else self._due(credential)

    def start(self, timeout: float) -> None:
        """Gets the first certificate, then keeps renewing in a background thread. Blocks until a certificate is held.

        Raises:
            CertificateRefused: at once, when the CA or the token endpoint refused in a way every replica would
                repeat (retrying for the whole ``timeout`` would only delay the error)
            CertificateUnavailable: if none could be had within ``timeout`` seconds; the message is the CA's last
                answer
        """
        deadline = time.monotonic() + timeout
        wait = _MIN_RETRY
        while True:
            try:
                self.renew()
                break
            except CertificateRefused as error:
                raise CertificateRefused("no certificate for %s: %s" % (self._id, error)) from error
            except (CertificateUnavailable, openssl.OpensslError, ValueError) as error:
                if time.monotonic() + wait > deadline or self._closed:
                    raise CertificateUnavailable("no certificate for %s within %.0f s: %s"
                                                 % (self._id, timeout, error)) from error
                _log.info("No certificate for %s yet (%s); retrying in %.1f s", self._id, error, wait)
                time.sleep(wait)
                wait = min(wait * 2, _MAX_RETRY)
        self._thread = threading.Thread(target=self._renew_forever, name="switchboard-identity", daemon=True)
        self._thread.start()

    def renew(self) -> Credential:
        """Gets a certificate for a new key now and presents it from the next handshake on.

        Raises:
            CertificateUnavailable: if the CA could not be reached or refused
            ValueError: if its answer does not verify: another key, another identity, a chain off the bundle
        """
        with self._renewing:
            self._trust.reload_if_changed()
            key_pem, csr_der = openssl.new_key_and_csr(self._id.group)
            response = self._issuer.issue(self._id, csr_der)
            received = self._clock()
            chain = [openssl.der_to_pem(der) for der in response.certificate_chain]
            leaf = openssl.describe(chain[0])
            if leaf.public_key_pem != openssl.public_key_of(key_pem):
                raise ValueError("the CA certified another key than the one this process sent")
            named = SpiffeId.of_uris(leaf.uris)
            if named != self._id:
                raise ValueError("the CA issued %s instead of %s" % (named, self._id))
            if response.trust_bundle:
                self._trust.add(openssl.der_to_pem(der) for der in response.trust_bundle)
            trust = self._trust.pem()
            try:
                openssl.verify_chain(chain, trust)
            except openssl.OpensslError as error:
                raise ValueError("the issued certificate does not verify: %s" % error) from None
            previous = self._current
            credential = Credential(generation=(previous.generation + 1) if previous else 1, spiffe_id=self._id,
                                    serial=leaf.serial, private_key_pem=key_pem, chain_pem=b"".join(chain),
                                    trust_pem=trust, received=received, not_after=leaf.not_after)
            with self._changed:
                self._current = credential
                self._changed.notify_all()
            _log.info("Certificate for %s (serial %s) valid until %s", self._id, leaf.serial,
                      time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(leaf.not_after)))
            return credential

    def server_credentials(self, require_client_auth: bool = True) -> grpc.ServerCredentials:
        """Server credentials that present the newest certificate: gRPC asks for the configuration before each new
        connection's handshake, and gets a new one after a renewal. Client certificates must chain to the trust
        bundle (and, by default, are required)."""
        served = [self.current.generation]
        lock = threading.Lock()

        def fetch() -> Optional[grpc.ServerCertificateConfiguration]:
            credential = self._current
            with lock:
                if credential is None or credential.generation == served[0]:
                    return None  # no change: gRPC keeps the configuration it has
                served[0] = credential.generation
            return self._server_configuration(credential)

        return grpc.dynamic_ssl_server_credentials(self._server_configuration(self.current), fetch,
                                                   require_client_authentication=require_client_auth)

    def tunnel(self, target: str, group: str, timeout: float = 5.0) -> Tunnel:
        """Returns a tunnel for channels to the platform server at ``target``, which must prove an identity of
        ``group``; every connection presents this process's newest certificate (see
        :mod:`switchboard.identity.tunnel`)."""
        return Tunnel(target, group, self.trust_domain, self._trust.pem, self._client_certificate, timeout=timeout)

    def _client_certificate(self) -> Optional[Tuple[bytes, bytes]]:
        credential = self._current
        return None if credential is None else (credential.chain_pem, credential.private_key_pem)

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Blocks until a credential of at least ``generation`` is held; returns whether one is."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._current is not None and self._current.generation >= generation, timeout)

    def close(self) -> None:
        """Stops renewing; the current certificate stays presented."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @staticmethod
    def _server_configuration(credential: Credential) -> grpc.ServerCertificateConfiguration:
        return grpc.ssl_server_certificate_configuration([(credential.private_key_pem, credential.chain_pem)],
                                                         root_certificates=credential.trust_pem)

    def _due(self, credential: Credential) -> float:
        life = credential.not_after - credential.received
        return credential.received + max(life * self._renew_at, _MIN_RENEWAL_DELAY)

    def _renew_forever(self) -> None:
        """The renewal thread: sleeps until the current certificate is due, renews, retries with backoff."""
        retry = _MIN_RETRY
        due = self._due(self.current)
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed, timeout=max(0.0, due - self._clock()))
                if self._closed:
                    return
            if self._clock() < self._due(self.current):  # renewed meanwhile by a caller of renew()
                due, retry = self._due(self.current), _MIN_RETRY
                continue
            try:
                due, retry = self._due(self.renew()), _MIN_RETRY
            except Exception as error:  # noqa: BLE001 - whatever failed, the certificate must still be renewed
                left = self.current.not_after - self._clock()
                _log.warning("Renewing the certificate of %s failed (%s); %.0f s left, retrying in %.1f s",
                             self._id, error, left, retry)
                due, retry = self._clock() + retry, min(retry * 2, _MAX_RETRY)
