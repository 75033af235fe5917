"""Channels to platform servers, verified by identity: TLS done by Python's ``ssl`` module for grpcio.

Platform certificates name an identity, not a host: their one subject alternative name is the URI
``spiffe://<trust-domain>/group/<group>/instance/<id>``. grpcio's TLS (1.51) cannot talk to such a server: it checks
the server's certificate against a host name and offers no custom verifier. Told to expect the URI itself (a target
name override of ``[<uri>]``), it sends that string as TLS SNI, which the JDK's TLS refuses ("Illegal server name"),
and the platform's servers use the JDK's TLS.

So a channel to a platform server goes through a :class:`Tunnel`: gRPC speaks plaintext HTTP/2 to a Unix socket in a
directory only this user can enter, and every connection gRPC opens there becomes a TLS connection, made by the
``ssl`` module, to the server: ALPN ``h2``, the chain checked against the trust bundle, the process's certificate
presented when it has one, and kept only if the server's certificate names one identity of the trust domain in the
expected group. The check is made on every connection, as the Java side's trust manager does; the bytes are then
copied both ways on one event-loop thread shared by every tunnel of the process. The TLS client sends the target's
host name as SNI, and none for an IP address, as any TLS client does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import ssl
import tempfile
import threading
from typing import Any, Callable, Optional, Sequence, Tuple

import grpc

from .spiffe import SpiffeId

__all__ = ["Tunnel", "IdentityMismatch", "split_target"]

_log = logging.getLogger(__name__)

#: what a tunnel presents: (certificate chain PEM, private key PEM), or None for no client certificate
ClientCertificate = Optional[Tuple[bytes, bytes]]


class IdentityMismatch(ConnectionError):
    """The server at an address presented no platform identity, or not one of the expected group."""


def split_target(target: str) -> Tuple[str, int]:
    """Returns host and port of ``host:port``, ``[v6]:port`` or ``dns:///host:port``."""
    address = target.split("///", 1)[1] if "///" in target else target
    if address.startswith("["):
        host, _, port = address[1:].partition("]:")
    else:
        host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError("not host:port: %r" % target)
    return host, int(port)


class Tunnel:
    """A local endpoint for gRPC channels to one platform server that must prove an identity of ``group``.

    Connections are verified when gRPC opens them: a server that proves no identity of the group is disconnected
    at once (gRPC sees ``UNAVAILABLE``; :attr:`last_error` says why). The trust and the client certificate are asked
    for on every new connection, so a renewed certificate is presented from the next connection on.

    Thread-safe. Close it when done; channels to it stop working then.
    """

    def __init__(self, target: str, group: str, trust_domain: str, trust: Callable[[], bytes],
                 client_certificate: Callable[[], ClientCertificate] = lambda: None, timeout: float = 5.0) -> None:
        """
        Args:
            target: the server's ``host:port``
            group: the group the server must belong to
            trust_domain: the trust domain its identity must be of
            trust: returns the CA certificates to trust (PEM)
            client_certificate: returns the certificate chain and key to present, or ``None``
            timeout: seconds to connect and complete a handshake
        """
        self.target = target
        self.group = group
        self._host, self._port = split_target(target)
        self._trust_domain = trust_domain
        self._trust = trust
        self._client_certificate = client_certificate
        self._timeout = timeout
        #: why the last connection was refused or failed, or ``None``
        self.last_error: Optional[BaseException] = None
        #: the identity the server proved on the last connection, or ``None``
        self.last_peer: Optional[SpiffeId] = None
        self._context_key: Any = None
        self._context: Optional[ssl.SSLContext] = None
        self._directory = tempfile.mkdtemp(prefix="switchboard-tunnel-")  # mode 0700: only this user connects
        self._path = os.path.join(self._directory, "socket")
        self._loop = _EventLoop.get()
        self._server = self._loop.call(asyncio.start_unix_server(self._serve, path=self._path), timeout=5.0)

    @property
    def address(self) -> str:
        """The gRPC target of the local end."""
        return "unix:" + self._path

    def channel(self, options: Sequence[Tuple[str, Any]] = ()) -> grpc.Channel:
        """Returns a new gRPC channel through this tunnel."""
        return grpc.insecure_channel(self.address, options=options)

    def close(self) -> None:
        """Stops accepting connections and removes the local socket; close the channels first (a connection already
        made ends with its channel)."""
        server, self._server = self._server, None
        if server is not None:
            self._loop.call(_close_server(server), timeout=5.0)
        shutil.rmtree(self._directory, ignore_errors=True)

    def __enter__(self) -> "Tunnel":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Tunnel(%s, group %s)" % (self.target, self.group)

    # --- the event-loop thread ---

    async def _serve(self, local_reader: asyncio.StreamReader, local_writer: asyncio.StreamWriter) -> None:
        remote_writer: Optional[asyncio.StreamWriter] = None
        try:
            remote_reader, remote_writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, ssl=self._ssl_context(),
                                        ssl_handshake_timeout=self._timeout), self._timeout)
            self.last_peer = self._verified(remote_writer.get_extra_info("peercert") or {})
            self.last_error = None
            await _pipe_both(local_reader, local_writer, remote_reader, remote_writer)
        except IdentityMismatch as error:
            self.last_error = error
            _log.warning("Refused a connection: %s", error)
        except (OSError, ssl.SSLError, asyncio.TimeoutError, ValueError) as error:
            self.last_error = error
            _log.debug("Tunnel to %s: %s", self.target, error)
        finally:
            for writer in (local_writer, remote_writer):
                if writer is not None:
                    writer.close()

    def _verified(self, certificate: dict) -> SpiffeId:
        uris = [value for kind, value in certificate.get("subjectAltName", ()) if kind == "URI"]
        identity = SpiffeId.of_uris(uris)
        if identity is None:
            raise IdentityMismatch("%s presents no platform identity (URI SANs: %s)" % (self.target, uris or "none"))
        if identity.trust_domain != self._trust_domain or identity.group != self.group:
            raise IdentityMismatch("%s is %s, not a member of group '%s' of %s"
                                   % (self.target, identity, self.group, self._trust_domain))
        return identity

    def _ssl_context(self) -> ssl.SSLContext:
        """The TLS settings for a new connection; made again when the trust or the certificate changed."""
        trust, client = self._trust(), self._client_certificate()
        key = (trust, client)
        if key != self._context_key:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False  # identities, not host names: _verified checks them
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cadata=trust.decode("ascii"))
            context.set_alpn_protocols(["h2"])  # gRPC servers insist on it
            if client is not None:
                _load_certificate(context, *client)
            self._context, self._context_key = context, key
        return self._context


async def _pipe_both(local_reader: asyncio.StreamReader, local_writer: asyncio.StreamWriter,
                     remote_reader: asyncio.StreamReader, remote_writer: asyncio.StreamWriter) -> None:
    """Copies bytes both ways until either side ends; flow control is the streams' own (``drain``)."""
    copies = [asyncio.ensure_future(_pipe(local_reader, remote_writer)),
              asyncio.ensure_future(_pipe(remote_reader, local_writer))]
    try:
        await asyncio.wait(copies, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for copy in copies:
            copy.cancel()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        data = await reader.read(65536)
        if not data:
            return
        writer.write(data)
        await writer.drain()


async def _close_server(server: asyncio.AbstractServer) -> None:
    server.close()
    await server.wait_closed()


def _load_certificate(context: ssl.SSLContext, chain_pem: bytes, key_pem: bytes) -> None:
    """``load_cert_chain`` reads files only: they exist, in a directory only this user can enter, for as long as
    the call takes."""
    directory = tempfile.mkdtemp(prefix="switchboard-")
    try:
        paths = []
        for name, content in (("chain.pem", chain_pem), ("key.pem", key_pem)):
            path = os.path.join(directory, name)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
            paths.append(path)
        context.load_cert_chain(*paths)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _EventLoop:
    """The one asyncio loop, on a daemon thread, that runs every tunnel of the process."""

    _instance: Optional["_EventLoop"] = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="switchboard-tunnels", daemon=True).start()

    @classmethod
    def get(cls) -> "_EventLoop":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def call(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)
