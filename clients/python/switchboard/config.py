"""Settings of a component, from keyword arguments and the environment variables the Java side reads.

Each setting is a Spring property of the Java side (``switchboard.client.*``, ``switchboard.component.*``,
``switchboard.identity.*``, ``spring.grpc.server.*``), read from the environment variable Spring's relaxed binding
maps to it: upper case, dots to underscores, dashes dropped (``switchboard.client.credentials.client-id`` is
``SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID``). Lists are comma-separated, durations are Spring's (``500ms``,
``3s``, ``1m``; a bare number is milliseconds) or seconds as a Python number when given as a keyword argument.
A keyword argument wins over the environment; :data:`SETTINGS` lists them all.

Values are immutable; nothing here holds a secret longer than the :class:`Credentials` it is put into, and no
``repr`` shows one.
"""

from __future__ import annotations

import os
import re
from types import MappingProxyType
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from switchboard.platform.v1 import defaults_pb2 as _defaults

# the platform's default ports, written once in the wire contracts (switchboard/platform/v1/defaults.proto)
_REGISTRY_ADDRESS = "127.0.0.1:%d" % _defaults.DEFAULT_PORT_REGISTRY_GRPC
_AUTH_ADDRESS = "127.0.0.1:%d" % _defaults.DEFAULT_PORT_AUTH_GRPC
_TOKEN_URI = "http://127.0.0.1:%d/oauth2/token" % _defaults.DEFAULT_PORT_AUTH_HTTP

__all__ = ["Credentials", "Registry", "Drain", "Identity", "Serving", "Settings", "SETTINGS", "parse_duration"]


@dataclass(frozen=True)
class Credentials:
    """The OAuth2 client a component gets its tokens for (``switchboard.client.credentials``)."""

    client_id: str
    client_secret: str = field(repr=False)
    #: token endpoints of the auth replicas, tried in turn while one is unreachable
    token_uris: Tuple[str, ...] = (_TOKEN_URI,)

    @classmethod
    def load(cls, environ: Optional[Mapping[str, str]] = None, **kwargs: Any) -> "Credentials":
        """Returns the client from ``client_id``, ``client_secret``, ``token_uri`` or their environment variables.

        Raises:
            ValueError: when the client id or secret is given nowhere
        """
        environ = os.environ if environ is None else environ
        unknown = sorted(set(kwargs) - {"client_id", "client_secret", "token_uri"})
        if unknown:
            raise ValueError("unknown setting(s) %s" % ", ".join(unknown))
        values = {name: _value(name, kwargs, environ) for name in ("client_id", "client_secret", "token_uri")}
        _require(values["client_id"], "client_id", SETTINGS["client_id"].env)
        _require(values["client_secret"], "client_secret", SETTINGS["client_secret"].env)
        if values["token_uri"] is None:
            return cls(values["client_id"], values["client_secret"])
        return cls(values["client_id"], values["client_secret"], values["token_uri"])


@dataclass(frozen=True)
class Registry:
    """Where the registry replicas are and how to reach them (``switchboard.client.registry``)."""

    addresses: Tuple[str, ...] = (_REGISTRY_ADDRESS,)
    #: deadline of each unary registry call, in seconds
    timeout: float = 3.0
    #: ceiling of the first wait before reconnecting, in seconds
    initial_backoff: float = 0.1
    #: largest wait before reconnecting, in seconds
    max_backoff: float = 3.0


@dataclass(frozen=True)
class Drain:
    """How a component stops without failing calls (``switchboard.component.drain``)."""

    #: how long to keep serving after reporting OUT_OF_SERVICE, so routers stop picking the replica, in seconds
    quiet_period: float = 0.5
    #: the longest wait, quiet period included, for calls in flight before deregistering, in seconds
    timeout: float = 10.0


@dataclass(frozen=True)
class Identity:
    """The process's platform identity (``switchboard.identity``)."""

    trust_bundle: str
    group: str
    instance_id: str
    trust_domain: str = "switchboard.local"
    ca_addresses: Tuple[str, ...] = (_AUTH_ADDRESS,)
    #: share of a certificate's life, counted from its arrival, after which it is renewed
    renew_at: float = 0.66
    #: how long start-up waits for the trust bundle file and the first certificate, in seconds
    start_timeout: float = 60.0
    #: deadline of each call to the CA, in seconds
    timeout: float = 5.0
    #: groups that may call the component directly, besides ``router``
    allowed_callers: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Serving:
    """Where the component's gRPC server listens (``spring.grpc.server``)."""

    address: str = "[::]"
    #: 0 lets the system choose
    port: int = 9090
    #: how long stopping the server waits for calls still running after the drain, in seconds
    shutdown_grace: float = 30.0


@dataclass(frozen=True)
class Settings:
    """Everything a :class:`switchboard.Component` needs. Build it with :meth:`load`."""

    group: str
    credentials: Credentials
    identity: Identity
    #: ``None`` until the server is bound: then ``<group>-<host>-<port>``, as the Java starter does
    instance_id: Optional[str] = None
    host: str = "127.0.0.1"
    zone: str = ""
    weight: int = 100
    metadata: Mapping[str, str] = field(default_factory=dict)
    management_url: str = ""
    registry: Registry = Registry()
    drain: Drain = Drain()
    serving: Serving = Serving()

    @classmethod
    def load(cls, environ: Optional[Mapping[str, str]] = None, **kwargs: Any) -> "Settings":
        """Returns the settings from ``kwargs`` (names in :data:`SETTINGS`), then ``environ`` (default ``os.environ``).

        Raises:
            ValueError: for an unknown keyword, a malformed value, or a required setting (group, client id and
                secret, trust bundle) given nowhere.
        """
        environ = os.environ if environ is None else environ
        unknown = sorted(set(kwargs) - set(SETTINGS))
        if unknown:
            raise ValueError("unknown setting(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(SETTINGS))))
        values = {name: _value(name, kwargs, environ) for name in SETTINGS}
        group = values["group"] or environ.get("SPRING_APPLICATION_NAME")
        _require(group, "group", "SWITCHBOARD_COMPONENT_GROUP")
        _require(values["trust_bundle"], "trust_bundle", "SWITCHBOARD_IDENTITY_TRUSTBUNDLE")
        metadata = dict(_metadata_from(environ))
        metadata.update(values["metadata"] or {})
        instance_id = values["instance_id"]
        given = {name: value for name, value in values.items() if value is not None}

        def pick(record: type, **names: str) -> Any:
            return record(**{attribute: given[name] for attribute, name in names.items() if name in given})

        return cls(
            group=group,
            instance_id=instance_id,
            host=values["host"] or _default_host(),
            zone=values["zone"] or "",
            weight=values["weight"] if values["weight"] is not None else 100,
            metadata=MappingProxyType(metadata),
            management_url=values["management_url"] or "",
            credentials=Credentials.load(environ, **{name: kwargs[name] for name in
                                                     ("client_id", "client_secret", "token_uri") if name in kwargs}),
            registry=pick(Registry, addresses="registry_addresses", timeout="registry_timeout",
                          initial_backoff="initial_backoff", max_backoff="max_backoff"),
            drain=pick(Drain, quiet_period="quiet_period", timeout="drain_timeout"),
            serving=pick(Serving, address="address", port="port", shutdown_grace="shutdown_grace"),
            identity=_identity(given, group),
        )


def _identity(given: Mapping[str, Any], group: str) -> Identity:
    """The certificate names the component's group and instance unless told otherwise, as the Java side does."""
    identity_group = given.get("identity_group") or group
    instance = given.get("identity_instance_id") or given.get("instance_id") or _fallback_instance(identity_group)
    names = {"trust_domain": "trust_domain", "ca_addresses": "ca_addresses", "renew_at": "renew_at",
             "start_timeout": "start_timeout", "timeout": "ca_timeout", "allowed_callers": "allowed_callers"}
    return Identity(trust_bundle=given["trust_bundle"], group=identity_group, instance_id=instance,
                    **{attribute: given[name] for attribute, name in names.items() if name in given})


def _fallback_instance(group: str) -> str:
    """``<group>-<host name>-<pid>``: the certificate is needed before the port is known."""
    import socket

    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname() or "localhost")
    return "%s-%s-%d" % (group, host, os.getpid())


def _default_host() -> str:
    """The first non-loopback address, the one a route to the outside would use; loopback when there is none."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent, the kernel only picks a source address
            address = probe.getsockname()[0]
            if not address.startswith("127."):
                return address
    except OSError:
        pass
    return "127.0.0.1"


def parse_duration(value: Any) -> float:
    """Returns seconds from a number (seconds) or a Spring duration string (``500ms``, ``3s``, ``2m``, ``PT3S``;
    a bare number string is milliseconds, Spring's default unit)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?", text, re.IGNORECASE)
    if match:
        unit = (match.group(2) or "ms").lower()
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}[unit]
        return float(match.group(1)) * scale
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", text, re.IGNORECASE)
    if match and any(match.groups()):
        hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise ValueError("not a duration: %r (use 500ms, 3s, 1m, ...)" % (value,))


def _strings(value: Any) -> Tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ValueError("not a boolean: %r" % (value,))
    return text == "true"


def _identity_value(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class _Setting:
    #: ``None`` for a setting only a keyword argument gives
    env: Optional[str]
    convert: Callable[[Any], Any] = _identity_value
    #: ``NAME_0``, ``NAME_1``, ... are read too, Spring's indexed form of a list
    indexed: bool = False


#: keyword argument -> the environment variable that sets it (Spring's name for the same property)
SETTINGS: Mapping[str, _Setting] = {
    "group": _Setting("SWITCHBOARD_COMPONENT_GROUP", str),
    "instance_id": _Setting("SWITCHBOARD_COMPONENT_INSTANCEID", str),
    "host": _Setting("SWITCHBOARD_COMPONENT_HOST", str),
    "zone": _Setting("SWITCHBOARD_COMPONENT_ZONE", str),
    "weight": _Setting("SWITCHBOARD_COMPONENT_WEIGHT", int),
    "metadata": _Setting(None, dict),  # SWITCHBOARD_COMPONENT_METADATA_<KEY> is read by _metadata_from
    "management_url": _Setting(None, str),
    "registry_addresses": _Setting("SWITCHBOARD_CLIENT_REGISTRY_ADDRESSES", _strings, indexed=True),
    "registry_timeout": _Setting("SWITCHBOARD_CLIENT_REGISTRY_TIMEOUT", parse_duration),
    "initial_backoff": _Setting("SWITCHBOARD_CLIENT_REGISTRY_INITIALBACKOFF", parse_duration),
    "max_backoff": _Setting("SWITCHBOARD_CLIENT_REGISTRY_MAXBACKOFF", parse_duration),
    "quiet_period": _Setting("SWITCHBOARD_COMPONENT_DRAIN_QUIETPERIOD", parse_duration),
    "drain_timeout": _Setting("SWITCHBOARD_COMPONENT_DRAIN_TIMEOUT", parse_duration),
    "client_id": _Setting("SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID", str),
    "client_secret": _Setting("SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET", str),
    "token_uri": _Setting("SWITCHBOARD_CLIENT_CREDENTIALS_TOKENURI", _strings, indexed=True),
    "trust_bundle": _Setting("SWITCHBOARD_IDENTITY_TRUSTBUNDLE", str),
    "trust_domain": _Setting("SWITCHBOARD_IDENTITY_TRUSTDOMAIN", str),
    "ca_addresses": _Setting("SWITCHBOARD_IDENTITY_CAADDRESSES", _strings, indexed=True),
    "identity_group": _Setting("SWITCHBOARD_IDENTITY_GROUP", str),
    "identity_instance_id": _Setting("SWITCHBOARD_IDENTITY_INSTANCEID", str),
    "renew_at": _Setting("SWITCHBOARD_IDENTITY_RENEWAT", float),
    "start_timeout": _Setting("SWITCHBOARD_IDENTITY_STARTTIMEOUT", parse_duration),
    "ca_timeout": _Setting("SWITCHBOARD_IDENTITY_TIMEOUT", parse_duration),
    "allowed_callers": _Setting("SWITCHBOARD_IDENTITY_ALLOWEDCALLERS", _strings, indexed=True),
    "address": _Setting("SPRING_GRPC_SERVER_ADDRESS", str),
    "port": _Setting("SPRING_GRPC_SERVER_PORT", int),
    "shutdown_grace": _Setting("SPRING_GRPC_SERVER_SHUTDOWN_GRACEPERIOD", parse_duration),
}


def _value(name: str, kwargs: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
    setting = SETTINGS[name]
    if kwargs.get(name) is not None:
        raw: Any = kwargs[name]
    elif setting.env is None:
        return None
    elif environ.get(setting.env, "").strip():
        raw = environ[setting.env]
    elif setting.indexed and (setting.env + "_0") in environ:
        raw = [environ[key] for key in _indexed_keys(setting.env, environ)]
    else:
        return None
    try:
        return setting.convert(raw)
    except (TypeError, ValueError) as error:
        source = name if name in kwargs else setting.env
        raise ValueError("%s: %s" % (source, error)) from None


def _indexed_keys(prefix: str, environ: Mapping[str, str]) -> Sequence[str]:
    keys = []
    while "%s_%d" % (prefix, len(keys)) in environ:
        keys.append("%s_%d" % (prefix, len(keys)))
    return keys


def _metadata_from(environ: Mapping[str, str]) -> Mapping[str, str]:
    """``SWITCHBOARD_COMPONENT_METADATA_IDEMPOTENT_METHODS=...`` -> ``idempotent-methods``: lower case, ``_`` as
    ``-``. (Spring would make that key ``idempotent.methods``, which nothing reads; the platform's keys use dashes.)"""
    prefix = "SWITCHBOARD_COMPONENT_METADATA_"
    return {key[len(prefix):].lower().replace("_", "-"): value
            for key, value in environ.items() if key.startswith(prefix) and len(key) > len(prefix)}


def _require(value: Any, name: str, env: str) -> None:
    if not value:
        raise ValueError("%s is not set: pass %s=... or set %s" % (name, name, env))
