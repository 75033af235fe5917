"""Keeping one instance registered, as ``dev.switchboard.component.registration.HeartbeatSession``."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Optional, Protocol, Tuple

import grpc

from ..backoff import Backoff
from ..registry.v1 import registry_pb2, registry_pb2_grpc
from ..tokens import TokenSource, TokenUnavailable
from .registration import Registration
from .registry_channels import RegistryChannels

__all__ = ["HeartbeatSession", "CallLoad"]

_log = logging.getLogger(__name__)

#: answers that mean the registration itself is wrong, logged as errors rather than as a lost registry
_REFUSALS = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS,
                       grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED})


class CallLoad(Protocol):
    """What a heartbeat reports as load; :class:`switchboard.component.load.InFlightCalls` is one."""

    @property
    def in_flight(self) -> int:
        """Calls started and not yet ended."""

    @property
    def completed(self) -> int:
        """Calls ended since the process started; never decreases."""


class HeartbeatSession:
    """Keeps one instance registered: registers it, holds its heartbeat stream (one message per lease interval,
    each carrying the status and the calls in flight and completed), and on any failure moves to the next registry
    replica after a jittered backoff. A heartbeat answered ``NOT_FOUND`` (evicted, or the registry lost its state)
    registers again on the same replica at once.

    All state lives on the session's own thread; gRPC's threads only hand it news. Public methods are thread-safe;
    :meth:`start` returns at once, :meth:`deregister` blocks until done or its timeout.
    """

    def __init__(self, channels: RegistryChannels, registration: Registration, status: Callable[[], int],
                 load: CallLoad, tokens: TokenSource, backoff: Backoff, timeout: float) -> None:
        """
        Args:
            channels: the registry replicas
            registration: what to register
            status: the ``InstanceStatus`` to report, asked before every heartbeat
            load: the calls in flight and completed, to report
            tokens: the component's tokens (``register:<group>``)
            backoff: waits between reconnects
            timeout: seconds each unary registry call may take
        """
        self._channels = channels
        self._registration = registration
        self._status = status
        self._load = load
        self._tokens = tokens
        self._backoff = backoff
        self._timeout = timeout
        self._changed = threading.Condition()
        # guarded by _changed: what other threads tell the session thread
        self._stopping = False
        self._beat_requested = False
        self._answered = False
        self._interval = 1.0
        self._acknowledged = registry_pb2.INSTANCE_STATUS_UNSPECIFIED
        # the session thread's own
        self._replica = 0
        self._registered = False
        self._not_found_again = False
        self._stream: Optional[_Stream] = None
        self._thread = threading.Thread(target=self._run, name="switchboard-heartbeat", daemon=True)
        self._done = threading.Event()
        self._deregistered = False

    @property
    def registration(self) -> Registration:
        return self._registration

    @property
    def acknowledged_status(self) -> int:
        """The effective status the registry last acknowledged (``INSTANCE_STATUS_UNSPECIFIED`` before any)."""
        return self._acknowledged

    def start(self) -> None:
        """Registers and starts heartbeating, in the background."""
        self._thread.start()

    def heartbeat_now(self) -> None:
        """Sends a heartbeat now, so a status change reaches the registry without waiting for the next tick."""
        with self._changed:
            self._beat_requested = True
            self._changed.notify_all()

    def deregister(self, wait: float) -> bool:
        """Stops heartbeating, closes the stream and deregisters, trying each registry replica once.

        Returns:
            whether a registry confirmed the deregistration within ``wait`` seconds
        """
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if not self._thread.is_alive() and not self._done.is_set():
            return False  # never started
        return self._done.wait(wait) and self._deregistered

    # --- the session thread ---

    def _run(self) -> None:
        while not self._is_stopping():
            try:
                self._connect_and_beat()
                continue  # returns only when stopping
            except grpc.RpcError as error:
                delay = self._failed(error.code(), self._explained(error))
            except (OSError, ValueError, TokenUnavailable) as error:  # unreachable, not a registry, no token
                delay = self._failed(grpc.StatusCode.UNAVAILABLE, str(error))
            except Exception as error:  # noqa: BLE001 - a bug must not end the heartbeats for good
                _log.exception("Heartbeat session of %s failed", self._registration.instance_id)
                delay = self._failed(grpc.StatusCode.UNKNOWN, str(error))
            with self._changed:
                self._changed.wait_for(lambda: self._stopping, timeout=delay)
        try:
            self._deregistered = self._stop_and_deregister()
        finally:
            self._done.set()

    def _connect_and_beat(self) -> None:
        """Registers if needed, opens a stream and beats on it until it fails (raises) or the session stops."""
        stub = registry_pb2_grpc.RegistryStub(self._channels.channel(self._replica))
        if not self._registered:
            response = stub.Register(self._registration.to_request(self._status()), timeout=self._timeout,
                                     metadata=self._metadata())
            self._registered = True
            with self._changed:
                self._interval = _interval_of(response.lease, self._interval)
            _log.info("Registered %s with registry %s", self._registration, self._channels.target(self._replica))
        stream = _Stream(stub, self._metadata(), self._on_response, self._on_end)
        self._stream = stream
        while True:
            stream.send(self._heartbeat())
            with self._changed:
                self._changed.wait_for(lambda: self._beat_requested or self._stopping or stream.error is not None,
                                       timeout=self._interval)
                self._beat_requested = False
                if self._stopping:
                    return  # the stream is completed, not cancelled, by _stop_and_deregister
            stream.raise_if_failed()

    def _heartbeat(self) -> registry_pb2.HeartbeatRequest:
        return registry_pb2.HeartbeatRequest(group=self._registration.group,
                                             instance_id=self._registration.instance_id, status=self._status(),
                                             in_flight=self._load.in_flight, calls_total=self._load.completed)

    def _failed(self, code: grpc.StatusCode, details: Optional[str]) -> float:
        """Drops the stream that failed; returns how long to wait before connecting again (to the next replica,
        unless the registry no longer knew the instance)."""
        with self._changed:
            answered, self._answered = self._answered, False
        if answered:  # the stream worked for a while: start backing off afresh
            self._backoff.reset()
            self._not_found_again = False
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None
        if code == grpc.StatusCode.UNAUTHENTICATED:
            self._tokens.invalidate()  # revoked or expired: the next attempt fetches a fresh token
        if code == grpc.StatusCode.NOT_FOUND:
            # evicted, or the registry lost its state: register again, on the same replica, at once; if that
            # keeps happening without a single answer in between, back off like any failure
            self._registered = False
            _log.info("Registry %s no longer knows %s; registering again", self._channels.target(self._replica),
                      self._registration.instance_id)
            delay = self._backoff.next() if self._not_found_again else 0.0
            self._not_found_again = True
            return delay
        delay = self._backoff.next()
        lost = self._channels.target(self._replica)
        self._channels.discard(self._replica)
        self._replica += 1
        if code in _REFUSALS:
            _log.error("Registry %s refused %s: %s %s; retrying in %.0f ms", lost, self._registration.instance_id,
                       code.name, details, delay * 1000)
        else:
            _log.info("Lost registry %s (%s %s); trying %s in %.0f ms", lost, code.name, details,
                      self._channels.target(self._replica), delay * 1000)
        return delay

    def _stop_and_deregister(self) -> bool:
        if self._stream is not None:
            self._stream.complete()
            self._stream = None
        if not self._registered:
            return False
        request = registry_pb2.DeregisterRequest(group=self._registration.group,
                                                 instance_id=self._registration.instance_id)
        for attempt in range(len(self._channels)):
            index = self._replica + attempt
            target = self._channels.target(index)
            try:
                registry_pb2_grpc.RegistryStub(self._channels.channel(index)).Deregister(
                    request, timeout=self._timeout, metadata=self._metadata())
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:
                    self._registered = False
                    return True  # already gone: evicted, or deregistered by an earlier attempt
                _log.warning("Could not deregister from registry %s: %s %s", target, error.code().name,
                             error.details())
                continue
            except (OSError, ValueError, TokenUnavailable) as error:
                _log.warning("Could not deregister from registry %s: %s", target, error)
                continue
            _log.info("Deregistered %s from registry %s", self._registration.instance_id, target)
            self._registered = False
            return True
        return False

    def _explained(self, error: grpc.RpcError) -> Optional[str]:
        """gRPC's details, and for a connection that failed, what the tunnel saw (refused identity, unreachable)."""
        seen = self._channels.last_error(self._replica) if error.code() == grpc.StatusCode.UNAVAILABLE else None
        return error.details() if seen is None else "%s (%s)" % (error.details(), seen)

    def _metadata(self) -> Tuple[Tuple[str, str], ...]:
        return (("authorization", "Bearer " + self._tokens.token()),)

    def _is_stopping(self) -> bool:
        with self._changed:
            return self._stopping

    # --- gRPC's threads ---

    def _on_response(self, stream: "_Stream", response: registry_pb2.HeartbeatResponse) -> None:
        with self._changed:
            self._answered = True
            self._acknowledged = response.status
            if stream is self._stream:
                self._interval = _interval_of(response.lease, self._interval)

    def _on_end(self) -> None:
        with self._changed:
            self._changed.notify_all()


def _interval_of(lease: registry_pb2.Lease, current: float) -> float:
    """The lease's heartbeat interval in seconds, at least 100 ms; ``current`` when the lease names none."""
    millis = lease.heartbeat_interval_millis
    return max(0.1, millis / 1000.0) if millis > 0 else current


class _StreamClosed(grpc.RpcError):
    """The registry ended a heartbeat stream without an error: as good as lost."""

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "heartbeat stream closed"


_END = object()


class _Stream:
    """One heartbeat stream: requests go through a queue that gRPC drains, answers are read on a thread of its own
    that hands them to the session and, when the stream ends, records why."""

    def __init__(self, stub: registry_pb2_grpc.RegistryStub, metadata: Any,
                 on_response: Callable[["_Stream", registry_pb2.HeartbeatResponse], None],
                 on_end: Callable[[], None]) -> None:
        self.error: Optional[grpc.RpcError] = None
        self._requests: "queue.Queue[Any]" = queue.Queue()
        self._on_response = on_response
        self._on_end = on_end
        self._call = stub.Heartbeat(iter(self._requests.get, _END), metadata=metadata)
        threading.Thread(target=self._read, name="switchboard-heartbeat-answers", daemon=True).start()

    def send(self, request: registry_pb2.HeartbeatRequest) -> None:
        self._requests.put(request)

    def complete(self) -> None:
        """Half-closes the stream: no more heartbeats."""
        self._requests.put(_END)

    def cancel(self) -> None:
        self._call.cancel()
        self._requests.put(_END)  # frees gRPC's thread that waits for the next request

    def raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def _read(self) -> None:
        error: grpc.RpcError
        try:
            for response in self._call:
                self._on_response(self, response)
            error = _StreamClosed()
        except grpc.RpcError as failure:
            error = failure
        self.error = error
        self._on_end()
