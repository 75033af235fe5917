"""The auth group's Certificates service, signing CSRs with the test CA."""

from __future__ import annotations

import ssl
import threading
import time
from concurrent import futures
from typing import List, Optional

import grpc
from google.protobuf import timestamp_pb2

from switchboard.auth.v1 import auth_pb2, auth_pb2_grpc
from switchboard.identity import openssl

from .pki import TRUST_DOMAIN, TestPki
from .token_endpoint import FakeTokenEndpoint


class FakeCa(auth_pb2_grpc.CertificatesServicer):
    """TLS with an ``auth`` certificate, no client certificate asked; checks the bearer token, signs the request's
    key for the group and instance asked (``lifetime`` seconds), records every request."""

    def __init__(self, pki: TestPki, tokens: FakeTokenEndpoint, lifetime: float = 86400.0,
                 group: str = "auth") -> None:
        self.pki = pki
        self.tokens = tokens
        self.lifetime = lifetime
        self.requests: List[auth_pb2.IssueCertificateRequest] = []
        #: when each request came, in epoch seconds
        self.times: List[float] = []
        #: calls that reached the service, answered or not
        self.calls = 0
        self.issued = threading.Condition()
        self.refuse_with: Optional[grpc.StatusCode] = None
        self.certify_another_key = False
        key, certificate = pki.issue(group, group + "-1")
        self._server = grpc.server(futures.ThreadPoolExecutor(4))
        auth_pb2_grpc.add_CertificatesServicer_to_server(self, self._server)
        self.port = self._server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(key, certificate)]))
        self._server.start()

    @property
    def address(self) -> str:
        return "127.0.0.1:%d" % self.port

    def IssueCertificate(self, request, context):  # noqa: N802 - the gRPC method
        came = time.time()
        self.calls += 1
        if not self.tokens.bearer_valid(context.invocation_metadata()):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no valid token")
        if self.refuse_with is not None:
            context.abort(self.refuse_with, "refused for the test")
        csr = request.csr
        if self.certify_another_key:
            _, csr = openssl.new_key_and_csr(request.group)
        _, certificate = self.pki.issue(request.group, request.instance_id, self.lifetime, csr_der=csr)
        info = openssl.describe(certificate)
        with self.issued:
            self.requests.append(request)
            self.times.append(came)
            self.issued.notify_all()
        return auth_pb2.IssueCertificateResponse(
            certificate_chain=[ssl.PEM_cert_to_DER_cert(certificate.decode())], trust_bundle=[self.pki.ca_der],
            spiffe_id="spiffe://%s/group/%s/instance/%s" % (TRUST_DOMAIN, request.group, request.instance_id),
            not_after=timestamp_pb2.Timestamp(seconds=int(info.not_after)))

    def wait_for_requests(self, count: int, timeout: float) -> bool:
        with self.issued:
            return self.issued.wait_for(lambda: len(self.requests) >= count, timeout)

    def stop(self) -> None:
        self._server.stop(0).wait()
