"""A real gRPC server wrapped by Component, against the fake CA, token endpoint and registry replicas."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent import futures

import grpc
import pytest

from fakes.echo import EchoService, call

from switchboard import Component
from switchboard.health import NOT_SERVING
from switchboard.registry.v1 import registry_pb2


def test_registers_exactly_the_services_the_server_runs(start_component, registry_state, registries):
    component = start_component()

    assert registry_state.wait_for(lambda events: any(event.kind == "register" for event in events))
    register = registry_state.of("register")[0]
    assert list(register.message.services) == ["test.v1.Echo"]  # health, served too, is left out
    assert register.message.group == "compute"
    assert register.message.instance_id == "compute-1"
    assert (register.message.host, register.message.port) == ("127.0.0.1", component.port)
    assert register.peer_group == "compute"  # over mutual TLS, with the component's own certificate
    assert register.replica == "registry-1"


def test_registers_the_instance_id_group_host_port_when_none_is_set(start_component, registry_state):
    component = start_component(instance_id=None)

    assert registry_state.wait_for(lambda events: any(event.kind == "register" for event in events))
    assert registry_state.of("register")[0].message.instance_id == "compute-127.0.0.1-%d" % component.port


def test_heartbeats_carry_the_health_status(start_component, registry_state):
    component = start_component()
    assert registry_state.wait_for(
        lambda events: any(e.kind == "heartbeat" and e.message.status == registry_pb2.UP for e in events))

    component.health.set("", NOT_SERVING)

    assert registry_state.wait_for(
        lambda events: any(e.kind == "heartbeat" and e.message.status == registry_pb2.DOWN for e in events))


def test_heartbeats_carry_the_calls_in_flight_and_completed(start_component, registry_state, component_channel):
    echo = EchoService()
    component = start_component(echo=echo)
    channel = component_channel(component, "router")
    slow = channel.unary_unary("/test.v1.Echo/Slow").future(b"", timeout=10)
    assert echo.slow_started.wait(5)

    assert registry_state.wait_for(
        lambda events: any(e.kind == "heartbeat" and e.message.in_flight == 1 for e in events))
    echo.gate.set()
    assert slow.result() == b"done"
    assert registry_state.wait_for(lambda events: any(
        e.kind == "heartbeat" and e.message.in_flight == 0 and e.message.calls_total == 1 for e in events))
    assert component.in_flight == 0


def test_moves_to_the_next_registry_when_its_replica_fails(start_component, registry_state, registries):
    start_component()
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, "registry-1")) >= 2)

    registries[0].stop()

    # the replicas share their state (as Hazelcast does): the second knows the instance, heartbeats just go on there
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, "registry-2")) >= 2)
    assert [event.replica for event in registry_state.of("register")] == ["registry-1"]


def test_registers_again_when_the_registry_no_longer_knows_the_instance(start_component, registry_state):
    start_component()
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, None)) >= 2)

    registry_state.forget("compute-1")  # evicted, or the registry lost its state

    assert registry_state.wait_for(lambda events: len([e for e in events if e.kind == "register"]) == 2)
    assert registry_state.wait_for(lambda events: events[-1].kind == "heartbeat")
    assert "compute-1" in registry_state.instances


def test_drains_out_of_service_then_waits_for_calls_then_deregisters_then_stops(
        start_component, registry_state, component_channel):
    echo = EchoService()
    component = start_component(echo=echo, quiet_period=0.3, drain_timeout=5.0)
    channel = component_channel(component, "router")
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, None)) >= 1)
    slow = channel.unary_unary("/test.v1.Echo/Slow").future(b"", timeout=10)
    assert echo.slow_started.wait(5)

    draining = threading.Thread(target=component.drain)
    started = time.monotonic()
    draining.start()

    assert registry_state.wait_for(lambda events: any(
        e.kind == "heartbeat" and e.message.status == registry_pb2.OUT_OF_SERVICE for e in events))
    assert call(channel, "Echo") == b"principal=-"  # still serving through the quiet period
    time.sleep(0.5)  # past the quiet period: only the call in flight holds the drain now
    assert registry_state.of("deregister") == []
    echo.gate.set()
    assert slow.result() == b"done"
    draining.join(10)
    assert not draining.is_alive()
    assert registry_state.of("deregister")[0].message.instance_id == "compute-1"
    assert time.monotonic() - started >= 0.3
    kinds = [e.kind for e in registry_state.events if e.kind in ("heartbeat", "deregister")]
    first_out = next(i for i, e in enumerate(registry_state.events)
                     if e.kind == "heartbeat" and e.message.status == registry_pb2.OUT_OF_SERVICE)
    assert kinds[-1] == "deregister" and registry_state.events.index(registry_state.of("deregister")[0]) > first_out
    assert component.wait(0)
    with pytest.raises(grpc.RpcError) as stopped:
        call(component_channel(component, "router"), "Echo", timeout=2)
    assert stopped.value.code() == grpc.StatusCode.UNAVAILABLE


def test_drain_deregisters_after_the_timeout_even_with_calls_in_flight(
        start_component, registry_state, component_channel):
    echo = EchoService()
    component = start_component(echo=echo, quiet_period=0.1, drain_timeout=0.5, shutdown_grace=0.1)
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, None)) >= 1)
    slow = component_channel(component, "router").unary_unary("/test.v1.Echo/Slow").future(b"", timeout=10)
    assert echo.slow_started.wait(5)

    started = time.monotonic()
    component.drain()

    assert 0.5 <= time.monotonic() - started < 3
    assert registry_state.of("deregister")
    assert not slow.done() or slow.code() != grpc.StatusCode.OK  # it outlived the drain and the grace


def test_sigterm_drains(start_component, registry_state):
    component = start_component(handle_signals=True, quiet_period=0.05)
    assert registry_state.wait_for(lambda events: len(heartbeats_of(events, None)) >= 1)

    os.kill(os.getpid(), signal.SIGTERM)

    assert component.wait(10)
    assert registry_state.of("deregister")
    assert signal.getsignal(signal.SIGTERM) is not None


def test_refuses_a_server_built_without_its_interceptor(settings_for):
    component = Component(settings_for(), handle_signals=False)
    server = grpc.server(futures.ThreadPoolExecutor(2))

    with pytest.raises(ValueError, match="component.interceptor"):
        component.start(server)


def heartbeats_of(events, replica):
    return [e for e in events if e.kind == "heartbeat" and (replica is None or e.replica == replica)]
