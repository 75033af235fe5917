"""Settings from keyword arguments and the environment variables Spring's relaxed binding reads."""

from __future__ import annotations

import pytest

from switchboard import Settings
from switchboard.config import parse_duration

REQUIRED = {
    "SWITCHBOARD_COMPONENT_GROUP": "compute",
    "SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID": "compute",
    "SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET": "secret",
    "SWITCHBOARD_IDENTITY_TRUSTBUNDLE": "/run/trust/ca.pem",
}


def test_reads_the_variables_the_java_side_reads():
    settings = Settings.load({
        **REQUIRED,
        "SWITCHBOARD_COMPONENT_INSTANCEID": "compute-7",
        "SWITCHBOARD_COMPONENT_HOST": "10.0.0.7",
        "SWITCHBOARD_CLIENT_REGISTRY_ADDRESSES": "registry-1:9101, registry-2:9101",
        "SWITCHBOARD_CLIENT_REGISTRY_MAXBACKOFF": "5s",
        "SWITCHBOARD_COMPONENT_DRAIN_QUIETPERIOD": "250ms",
        "SWITCHBOARD_CLIENT_CREDENTIALS_TOKENURI": "http://auth-1:8102/oauth2/token,http://auth-2:8102/oauth2/token",
        "SWITCHBOARD_IDENTITY_CAADDRESSES_0": "auth-1:9102",
        "SWITCHBOARD_IDENTITY_CAADDRESSES_1": "auth-2:9102",
        "SWITCHBOARD_IDENTITY_ALLOWEDCALLERS": "volume",
        "SWITCHBOARD_IDENTITY_STARTTIMEOUT": "PT90S",
        "SWITCHBOARD_COMPONENT_METADATA_IDEMPOTENT_METHODS": "pkg.Compute/Get*",
        "SPRING_GRPC_SERVER_PORT": "0",
    })

    assert (settings.group, settings.instance_id, settings.host) == ("compute", "compute-7", "10.0.0.7")
    assert settings.registry.addresses == ("registry-1:9101", "registry-2:9101")
    assert settings.registry.max_backoff == 5.0 and settings.drain.quiet_period == 0.25
    assert settings.credentials.token_uris == ("http://auth-1:8102/oauth2/token", "http://auth-2:8102/oauth2/token")
    assert settings.identity.ca_addresses == ("auth-1:9102", "auth-2:9102")
    assert settings.identity.allowed_callers == ("volume",)
    assert settings.identity.start_timeout == 90.0
    assert (settings.identity.group, settings.identity.instance_id) == ("compute", "compute-7")
    assert settings.metadata == {"idempotent-methods": "pkg.Compute/Get*"}
    assert settings.serving.port == 0


def test_keyword_arguments_win_over_the_environment():
    settings = Settings.load({**REQUIRED, "SWITCHBOARD_COMPONENT_ZONE": "a"}, zone="b", drain_timeout=2)

    assert settings.zone == "b" and settings.drain.timeout == 2.0


def test_defaults_are_the_java_defaults():
    settings = Settings.load(REQUIRED)

    assert settings.registry.addresses == ("127.0.0.1:9101",)
    assert (settings.registry.timeout, settings.registry.initial_backoff, settings.registry.max_backoff) == (3, .1, 3)
    assert (settings.drain.quiet_period, settings.drain.timeout) == (0.5, 10.0)
    assert settings.credentials.token_uris == ("http://127.0.0.1:8102/oauth2/token",)
    assert settings.identity.ca_addresses == ("127.0.0.1:9102",)
    assert (settings.identity.renew_at, settings.identity.trust_domain) == (0.66, "switchboard.local")
    assert settings.instance_id is None and settings.identity.instance_id.startswith("compute-")


def test_a_missing_required_setting_names_its_variable():
    without_secret = {k: v for k, v in REQUIRED.items() if k != "SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET"}

    with pytest.raises(ValueError, match="SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTSECRET"):
        Settings.load(without_secret)


def test_an_unknown_keyword_or_malformed_value_is_refused():
    with pytest.raises(ValueError, match="unknown setting"):
        Settings.load(REQUIRED, grup="compute")
    with pytest.raises(ValueError, match="SWITCHBOARD_COMPONENT_DRAIN_TIMEOUT"):
        Settings.load({**REQUIRED, "SWITCHBOARD_COMPONENT_DRAIN_TIMEOUT": "soon"})


@pytest.mark.parametrize("text, seconds", [("500ms", 0.5), ("3s", 3.0), ("2m", 120.0), ("1500", 1.5),
                                           ("PT1M30S", 90.0), (4, 4.0)])
def test_durations_read_as_spring_reads_them(text, seconds):
    assert parse_duration(text) == seconds
