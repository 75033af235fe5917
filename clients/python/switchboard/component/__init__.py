"""A gRPC server as a Switchboard component: registration, heartbeats, drain, who may call."""

from .component import Component
from .heartbeat import HeartbeatSession
from .load import InFlightCalls
from .registration import Registration
from .registry_channels import RegistryChannels
from .server_view import INFRASTRUCTURE_SERVICES, served_services

__all__ = ["Component", "HeartbeatSession", "InFlightCalls", "INFRASTRUCTURE_SERVICES", "Registration",
           "RegistryChannels", "served_services"]
