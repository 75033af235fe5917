"""What a process trusts: the platform CA certificates, as ``dev.switchboard.client.identity.PlatformTrust``."""

from __future__ import annotations

import logging
import os
import ssl
import threading
import time
from typing import Iterable, List, Optional

from .openssl import pem_certificates

__all__ = ["TrustBundle"]

_log = logging.getLogger(__name__)


class TrustBundle:
    """The platform's CA certificates: those of the trust bundle file, which trust starts from (never from first
    use), plus those the CA sends with an issued certificate over a connection already verified against this bundle,
    so a CA rotation reaches the process with its next renewal. The file is read again when it changes.

    Thread-safe.
    """

    def __init__(self, path: str, trust_domain: str) -> None:
        """
        Args:
            path: the PEM file of the platform CA certificates (``switchboard.identity.trust-bundle``)
            trust_domain: the platform's trust domain; identities of any other are refused
        Raises:
            ValueError: if the file is unreadable or holds no certificate
        """
        self.path = path
        self.trust_domain = trust_domain
        self._lock = threading.Lock()
        self._modified = self._mtime()
        self._certificates: List[bytes] = self._read()
        if not self._certificates:
            raise ValueError("the trust bundle %s holds no certificate (switchboard.identity.trust-bundle)" % path)

    @classmethod
    def await_file(cls, path: str, trust_domain: str, timeout: float) -> "TrustBundle":
        """Waits up to ``timeout`` seconds for the file auth writes (a process started beside auth), then reads it.

        Raises:
            ValueError: if the file is still missing or holds no certificate
        """
        deadline = time.monotonic() + timeout
        if not os.access(path, os.R_OK):
            _log.info("Waiting up to %.0f s for the platform's trust bundle %s", timeout, path)
        while not os.access(path, os.R_OK) and time.monotonic() < deadline:
            time.sleep(0.2)
        if not os.access(path, os.R_OK):
            raise ValueError("the platform's trust bundle %s is missing or unreadable "
                             "(switchboard.identity.trust-bundle)" % path)
        return cls(path, trust_domain)

    def pem(self) -> bytes:
        """The CA certificates trusted now, as one PEM text."""
        with self._lock:
            return b"".join(self._certificates)

    def add(self, certificates_pem: Iterable[bytes]) -> None:
        """Adds CA certificates learned from the CA over a verified connection."""
        with self._lock:
            self._merge(certificates_pem)

    def reload_if_changed(self) -> None:
        """Reads the file again if it changed since it was last read; keeps the current trust if it is unreadable."""
        modified = self._mtime()
        if modified is None or modified == self._modified:
            return
        try:
            certificates = self._read()
        except OSError as error:
            _log.warning("Trust bundle %s changed but cannot be read, keeping the current one: %s", self.path, error)
            return
        with self._lock:
            self._merge(certificates)
            self._modified = modified
            count = len(self._certificates)
        _log.info("Trust bundle %s read again: %d CA certificate(s)", self.path, count)

    def _merge(self, certificates_pem: Iterable[bytes]) -> None:
        known = {_der(pem) for pem in self._certificates}
        for pem in certificates_pem:
            if _der(pem) not in known:
                self._certificates.append(pem)
                known.add(_der(pem))

    def _read(self) -> List[bytes]:
        with open(self.path, "rb") as file:
            return pem_certificates(file.read())

    def _mtime(self) -> Optional[float]:
        try:
            return os.stat(self.path).st_mtime
        except OSError:
            return None


def _der(pem: bytes) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.decode("ascii"))
