"""A gRPC server as a Switchboard component, as the Java component starter makes a Spring Boot application one."""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent import futures
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import grpc

from ..backoff import Backoff
from ..config import Settings
from ..identity.issuer import CertificateIssuer
from ..identity.peers import PeerAuthorization
from ..identity.platform_identity import PlatformIdentity
from ..identity.spiffe import SpiffeId
from ..identity.trust import TrustBundle
from ..registry.v1 import registry_pb2
from ..tokens import TokenSource
from .heartbeat import HeartbeatSession
from .load import InFlightCalls
from .registration import Registration
from .registry_channels import RegistryChannels
from .server_view import health_check, interceptors_of, served_services

__all__ = ["Component"]

_log = logging.getLogger(__name__)

_SERVING = 1  # grpc.health.v1.HealthCheckResponse.SERVING


class Component:
    """Makes a ``grpc.Server`` a Switchboard component, as the Java starter does a Spring Boot application:

    1. gets a token for its client and a certificate from the platform CA, and binds the server's port with mutual
       TLS: client certificates from the platform CA are required, the certificate is renewed in place;
    2. admits calls only from the ``router`` group and the allowed callers, and removes ``x-switchboard-principal``
       unless a router sent it (:attr:`interceptor`, which the server must be built with, first);
    3. registers the services the server actually runs (health and reflection left out) and keeps one heartbeat
       stream: status from the server's health service (``STARTING`` until it serves), load as calls in flight;
       it moves to the next registry replica on failure and registers again when a registry answers ``NOT_FOUND``;
    4. on SIGTERM or SIGINT (or :meth:`drain`) reports ``OUT_OF_SERVICE``, keeps serving for the quiet period, waits
       for calls in flight (bounded by the drain timeout), deregisters, then stops the server.

    Usage::

        component = Component(group="compute")            # the rest from SWITCHBOARD_* variables
        server = component.server()                       # or grpc.server(..., interceptors=[component.interceptor])
        compute_pb2_grpc.add_ComputeServicer_to_server(Compute(), server)
        component.start(server)                           # do not add a port yourself
        component.wait()                                  # returns once drained and stopped

    Thread-safe. :meth:`start` blocks until the server serves (the first certificate may take a while);
    registration goes on in the background.
    """

    def __init__(self, settings: Optional[Settings] = None, *, environ: Optional[Mapping[str, str]] = None,
                 status: Optional[Callable[[], int]] = None, services: Optional[Sequence[str]] = None,
                 handle_signals: bool = True, **kwargs: Any) -> None:
        """
        Args:
            settings: everything at once; otherwise ``kwargs`` and ``environ`` (see :meth:`Settings.load`)
            environ: where to read ``SWITCHBOARD_*`` variables; ``os.environ`` by default
            status: the ``InstanceStatus`` to report once serving; by default the server's health service decides
                (``SERVING`` is ``UP``, anything else ``DOWN``; no health service: ``UP``)
            services: the services to register; by default those the server runs
            handle_signals: whether :meth:`start` makes SIGTERM and SIGINT drain (only from the main thread)
            kwargs: settings by name, e.g. ``group="compute"``, ``allowed_callers=["volume"]``
        """
        if settings is not None and kwargs:
            raise ValueError("pass either settings or keyword settings, not both")
        self.settings = settings if settings is not None else Settings.load(environ, **kwargs)
        identity = self.settings.identity
        self._peers = PeerAuthorization(identity.trust_domain, identity.allowed_callers)
        self._load = InFlightCalls()
        #: the server interceptor every call must pass; build the server with it, first
        self.interceptor: grpc.ServerInterceptor = _Chain(self._peers, self._load)
        #: the health service :meth:`server` added, if any
        self.health: Any = None
        self._status = status
        self._services = tuple(services) if services is not None else None
        self._handle_signals = handle_signals
        self._lock = threading.Lock()
        self._override: Optional[int] = None
        self._serving = False
        self._draining = False
        self._stopped = threading.Event()
        self._server: Optional[grpc.Server] = None
        self._health: Optional[Callable[[], Optional[int]]] = None
        self._previous_handlers: dict = {}
        self._executor: Optional[futures.ThreadPoolExecutor] = None
        self._built: Optional[grpc.Server] = None
        self.tokens: Optional[TokenSource] = None
        self.identity: Optional[PlatformIdentity] = None
        self.registration: Optional[Registration] = None
        self._channels: Optional[RegistryChannels] = None
        self._session: Optional[HeartbeatSession] = None
        self.port = 0

    def server(self, max_workers: int = 16, *, interceptors: Iterable[grpc.ServerInterceptor] = (),
               options: Sequence[Any] = (), health: bool = True, **kwargs: Any) -> grpc.Server:
        """Returns a new ``grpc.Server`` with this component's interceptor first, then ``interceptors``, and (unless
        ``health=False``) the standard health service, kept in :attr:`health`. ``kwargs`` go to ``grpc.server``."""
        self._executor = futures.ThreadPoolExecutor(max_workers, thread_name_prefix="switchboard-grpc")
        server = grpc.server(self._executor, interceptors=[self.interceptor, *interceptors], options=options,
                             **kwargs)
        self._built = server  # built with the interceptor first: start() need not look inside it
        if health:
            from ..health import HealthServicer  # loads the health messages only when they are used

            self.health = HealthServicer().add_to_server(server)
        return server

    @property
    def in_flight(self) -> int:
        """Calls in flight on the server now."""
        return self._load.in_flight

    @property
    def acknowledged_status(self) -> int:
        """The effective ``InstanceStatus`` the registry last acknowledged."""
        session = self._session
        return session.acknowledged_status if session else registry_pb2.INSTANCE_STATUS_UNSPECIFIED

    def start(self, server: grpc.Server) -> "Component":
        """Gets a token and a certificate, binds the server's port with mutual TLS, starts the server and registers
        it in the background.

        Raises:
            ValueError: if the server was not built with :attr:`interceptor` first, or (not built by
                :meth:`server`) grpcio does not show its interceptors
            switchboard.CertificateRefused: at once, if the token endpoint refused the client or the CA refused the
                group (a wrong secret, no ``register:<group>`` grant): every replica would answer the same
            switchboard.CertificateUnavailable: if no certificate came within the start timeout
            RuntimeError: if the port cannot be bound
        """
        interceptors = [self.interceptor] if server is self._built else interceptors_of(server)
        if interceptors is None:
            # fail closed: without the interceptor any platform identity could call, and forge a principal
            raise ValueError("cannot tell whether the server admits only the router (this grpcio hides its "
                             "interceptors): build it with component.server()")
        if not interceptors or interceptors[0] is not self.interceptor:
            raise ValueError("build the server with interceptors=[component.interceptor, ...] (first): it admits "
                             "only the router and allowed callers, and counts calls in flight")
        settings = self.settings
        identity_settings = settings.identity
        try:
            self.tokens = TokenSource(settings.credentials)
            trust = TrustBundle.await_file(identity_settings.trust_bundle, identity_settings.trust_domain,
                                           identity_settings.start_timeout)
            issuer = CertificateIssuer(identity_settings.ca_addresses, self.tokens, trust, identity_settings.timeout)
            spiffe_id = SpiffeId(identity_settings.trust_domain, identity_settings.group,
                                 identity_settings.instance_id)
            self.identity = PlatformIdentity(spiffe_id, issuer, trust, renew_at=identity_settings.renew_at)
            self.identity.start(identity_settings.start_timeout)
            address = "%s:%d" % (settings.serving.address, settings.serving.port)
            self.port = server.add_secure_port(address, self.identity.server_credentials(require_client_auth=True))
            if self.port == 0:
                raise RuntimeError("could not bind %s" % address)
            self._server = server
            self._health = health_check(server)
            server.start()
            with self._lock:
                self._serving = True
            _log.info("Serving %s with mutual TLS on port %d", spiffe_id, self.port)
            self._register(server)
        except BaseException:
            if self._server is not None:
                self._server.stop(0)
            if self.identity is not None:
                self.identity.close()
            raise
        if self._handle_signals:
            self._install_signal_handlers()
        return self

    def drain(self) -> None:
        """Reports ``OUT_OF_SERVICE``, keeps serving for the quiet period so routers stop picking this replica, waits
        for calls in flight (at most the drain timeout, quiet period included), deregisters, then stops the server.
        Blocks until done; a second call waits for the first."""
        with self._lock:
            draining, self._draining = self._draining, True
        if draining:
            self._stopped.wait()
            return
        started = time.monotonic()
        drain = self.settings.drain
        session = self._session
        if session is not None:
            with self._lock:
                self._override = registry_pb2.OUT_OF_SERVICE
            session.heartbeat_now()
            time.sleep(drain.quiet_period)
            deadline = started + drain.timeout
            while self._load.in_flight > 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            left = self._load.in_flight
            registry = self.settings.registry
            session.deregister(registry.timeout * (len(registry.addresses) + 1))
            _log.info("Drained %s in %.0f ms%s", session.registration.instance_id, (time.monotonic() - started) * 1000,
                      "; %d calls still in flight" % left if left else "")
        if self.health is not None:
            self.health.enter_graceful_shutdown()
        if self._server is not None:
            self._server.stop(self.settings.serving.shutdown_grace).wait()
        if self._executor is not None:
            self._executor.shutdown(wait=False)  # the one server() made; a server built elsewhere keeps its own
        for closeable in (self._channels, self.identity):
            if closeable is not None:
                closeable.close()
        self._restore_signal_handlers()
        self._stopped.set()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Blocks until the component has drained and its server stopped; returns whether it has."""
        return self._stopped.wait(timeout)

    def status(self) -> int:
        """The ``InstanceStatus`` reported now: ``OUT_OF_SERVICE`` while draining, ``STARTING`` until the server
        serves, then what the status function or the health service says."""
        with self._lock:
            if self._override is not None:
                return self._override
            if not self._serving:
                return registry_pb2.STARTING
        if self._status is not None:
            try:
                return self._status()
            except Exception:  # noqa: BLE001 - a status function that fails says the replica is not well
                _log.exception("The status function failed; reporting DOWN")
                return registry_pb2.DOWN
        if self._health is None:
            return registry_pb2.UP
        return registry_pb2.UP if self._health() == _SERVING else registry_pb2.DOWN

    def _register(self, server: grpc.Server) -> None:
        services = self._services if self._services is not None else served_services(server)
        if not services:
            _log.warning("The gRPC server runs no service of its own; not registering")
            return
        settings = self.settings
        instance_id = settings.instance_id or "%s-%s-%d" % (settings.group, settings.host.replace(":", "."),
                                                             self.port)
        self.registration = Registration(settings.group, instance_id, settings.host, self.port, tuple(services),
                                         settings.management_url, settings.zone, settings.weight, settings.metadata)
        registry = settings.registry
        self._channels = RegistryChannels(registry.addresses, self.identity, registry.timeout)
        self._session = HeartbeatSession(self._channels, self.registration, self.status, self._load, self.tokens,
                                         Backoff(registry.initial_backoff, registry.max_backoff), registry.timeout)
        self._session.start()

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            _log.info("Not on the main thread: SIGTERM and SIGINT do not drain; call drain() yourself")
            return

        def on_signal(number: int, frame: Any) -> None:
            # a handler must return quickly: the drain takes seconds, on a thread of its own that keeps the process
            # alive until it is done
            _log.info("Signal %d: draining", number)
            threading.Thread(target=self.drain, name="switchboard-drain").start()

        for number in (signal.SIGTERM, signal.SIGINT):
            self._previous_handlers[number] = signal.signal(number, on_signal)

    def _restore_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may; the process is stopping anyway
        for number, handler in self._previous_handlers.items():
            signal.signal(number, handler)
        self._previous_handlers.clear()


class _Chain(grpc.ServerInterceptor):
    """Interceptors as one, the first outermost: peer authorization before the in-flight count, so a refused call
    is never counted."""

    def __init__(self, *interceptors: grpc.ServerInterceptor) -> None:
        self._interceptors = interceptors

    def intercept_service(self, continuation, handler_call_details):  # noqa: D102 - grpc.ServerInterceptor
        for interceptor in reversed(self._interceptors):
            continuation = _bind(interceptor, continuation)
        return continuation(handler_call_details)


def _bind(interceptor: grpc.ServerInterceptor, continuation: Callable) -> Callable:
    return lambda details: interceptor.intercept_service(continuation, details)
