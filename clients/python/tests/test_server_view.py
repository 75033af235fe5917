"""What a grpc.Server the user built serves, read without reflection."""

from __future__ import annotations

from concurrent import futures

import grpc

from fakes.echo import EchoService

from switchboard.component import served_services
from switchboard.component.server_view import health_check
from switchboard.health import NOT_SERVING, SERVING, HealthServicer
from switchboard.registry.v1 import registry_pb2


class Custom(grpc.GenericRpcHandler):
    """A handler that lists nothing: only asking it tells what it serves."""

    def service(self, handler_call_details):
        if handler_call_details.method.startswith("/switchboard.registry.v1.Registry/"):
            return grpc.unary_unary_rpc_method_handler(lambda request, context: b"")
        return None


def test_finds_generated_servicers_generic_handlers_and_leaves_out_health():
    server = grpc.server(futures.ThreadPoolExecutor(1))
    server.add_generic_rpc_handlers([EchoService().handler(), Custom()])
    HealthServicer().add_to_server(server)

    assert served_services(server) == ("switchboard.registry.v1.Registry", "test.v1.Echo")


def test_a_service_merely_imported_is_not_served():
    assert registry_pb2.DESCRIPTOR.services_by_name["Registry"]  # imported: a candidate, which this server lacks
    server = grpc.server(futures.ThreadPoolExecutor(1))
    HealthServicer().add_to_server(server)

    assert served_services(server) == ()


def test_reads_the_status_the_servers_health_service_holds():
    server = grpc.server(futures.ThreadPoolExecutor(1))
    health = HealthServicer().add_to_server(server)
    check = health_check(server)

    assert check() == SERVING
    health.set("", NOT_SERVING)
    assert check() == NOT_SERVING
    assert health_check(grpc.server(futures.ThreadPoolExecutor(1))) is None
