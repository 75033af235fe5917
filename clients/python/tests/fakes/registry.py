"""Registry replicas sharing one state, recording every write; they can fail or forget on demand."""

from __future__ import annotations

import threading
import time
from concurrent import futures
from typing import Callable, List, Optional

import grpc

from switchboard.identity.peers import peer_of
from switchboard.registry.v1 import registry_pb2, registry_pb2_grpc

from .pki import TRUST_DOMAIN, TestPki
from .token_endpoint import FakeTokenEndpoint


class Event:
    def __init__(self, kind: str, replica: str, message, peer_group: Optional[str]) -> None:
        self.kind = kind
        self.replica = replica
        self.message = message
        self.peer_group = peer_group
        self.at = time.monotonic()

    def __repr__(self) -> str:
        return "%s@%s(%s)" % (self.kind, self.replica, str(self.message).replace("\n", " "))


class RegistryState:
    """What the replicas share (as Hazelcast does): instances, and the log of every write, in order."""

    def __init__(self) -> None:
        self.instances = {}
        self.events: List[Event] = []
        self.changed = threading.Condition()

    def record(self, event: Event) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def forget(self, instance_id: str) -> None:
        with self.changed:
            self.instances.pop(instance_id, None)

    def of(self, kind: str) -> List[Event]:
        with self.changed:
            return [event for event in self.events if event.kind == kind]

    def wait_for(self, predicate: Callable[[List[Event]], bool], timeout: float = 5.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(list(self.events)), timeout)


class FakeRegistry(registry_pb2_grpc.RegistryServicer):
    """A registry replica: mutual TLS with a ``registry`` certificate; Register, Heartbeat and Deregister need a
    valid token and a client certificate of the registered group, as the real one checks."""

    def __init__(self, name: str, state: RegistryState, pki: TestPki, tokens: FakeTokenEndpoint,
                 interval_millis: int = 100) -> None:
        self.name = name
        self.state = state
        self.tokens = tokens
        self.interval_millis = interval_millis
        key, certificate = pki.issue("registry", name)
        self._server = grpc.server(futures.ThreadPoolExecutor(8))
        registry_pb2_grpc.add_RegistryServicer_to_server(self, self._server)
        credentials = grpc.ssl_server_credentials([(key, certificate)], root_certificates=pki.ca_pem,
                                                  require_client_auth=True)
        self.port = self._server.add_secure_port("127.0.0.1:0", credentials)
        self._server.start()

    @property
    def address(self) -> str:
        return "127.0.0.1:%d" % self.port

    def stop(self) -> None:
        self._server.stop(0).wait()

    def _check(self, group: str, context: grpc.ServicerContext) -> Optional[str]:
        if not self.tokens.bearer_valid(context.invocation_metadata()):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no valid token")
        peer = peer_of(context, TRUST_DOMAIN)
        if peer is None or peer.group != group:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "a certificate of group %s is required" % group)
        return peer.group

    def _lease(self) -> registry_pb2.Lease:
        return registry_pb2.Lease(heartbeat_interval_millis=self.interval_millis, ttl_millis=3 * self.interval_millis)

    def Register(self, request, context):  # noqa: N802 - the gRPC method
        peer = self._check(request.group, context)
        with self.state.changed:
            self.state.instances[request.instance_id] = request
        self.state.record(Event("register", self.name, request, peer))
        return registry_pb2.RegisterResponse(lease=self._lease())

    def Heartbeat(self, request_iterator, context):  # noqa: N802 - the gRPC method
        for request in request_iterator:
            peer = self._check(request.group, context)
            self.state.record(Event("heartbeat", self.name, request, peer))
            with self.state.changed:
                known = request.instance_id in self.state.instances
            if not known:
                context.abort(grpc.StatusCode.NOT_FOUND, "instance '%s' is not registered" % request.instance_id)
            yield registry_pb2.HeartbeatResponse(lease=self._lease(), status=request.status)
        self.state.record(Event("stream-completed", self.name, None, None))

    def Deregister(self, request, context):  # noqa: N802 - the gRPC method
        peer = self._check(request.group, context)
        self.state.record(Event("deregister", self.name, request, peer))
        with self.state.changed:
            known = self.state.instances.pop(request.instance_id, None)
        if known is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "instance '%s' is not registered" % request.instance_id)
        return registry_pb2.DeregisterResponse()
