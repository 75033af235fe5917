"""TokenSource against a token endpoint on http.server."""

from __future__ import annotations

import socket
import threading

import pytest

from fakes.token_endpoint import FakeTokenEndpoint

from switchboard import Credentials, TokenRefused, TokenSource, TokenUnavailable

from conftest import CLIENT_ID, CLIENT_SECRET


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def unused_uri() -> str:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:%d/oauth2/token" % port


def source(*uris, clock=None, client_id=CLIENT_ID, secret=CLIENT_SECRET):
    return TokenSource(Credentials(client_id, secret, tuple(uris)), clock=clock or FakeClock(), timeout=2.0)


def test_authenticates_with_http_basic_of_the_form_encoded_id_and_secret(token_endpoint):
    assert source(token_endpoint.uri).token() == "token-1"

    request = token_endpoint.requests[0]
    assert request["client_id"] == CLIENT_ID and request["secret_ok"]
    assert request["body"] == "grant_type=client_credentials"
    assert "%3A+%2B%26%2F%25" in __import__("base64").b64decode(request["basic"][6:]).decode()  # ': +&/%'


def test_keeps_a_token_until_a_fifth_of_its_lifetime_is_left(token_endpoint):
    token_endpoint.expires_in = 100
    clock = FakeClock()
    tokens = source(token_endpoint.uri, clock=clock)
    assert tokens.token() == "token-1"

    clock.now += 79
    assert tokens.token() == "token-1"
    clock.now += 2  # 81 s of 100: less than a fifth left
    assert tokens.token() == "token-2"
    assert len(token_endpoint.requests) == 2


def test_tries_the_next_endpoint_while_one_is_unreachable_or_failing(token_endpoint):
    failing = FakeTokenEndpoint(CLIENT_ID, CLIENT_SECRET)
    try:
        failing.fail_next(503)
        tokens = source(unused_uri(), failing.uri, token_endpoint.uri)

        assert tokens.token() == "token-1"  # refused connection, then 503, then a token
        assert len(failing.requests) == 1
        tokens.invalidate()
        assert tokens.token() == "token-2"  # the endpoint that answered last is asked first
        assert len(failing.requests) == 1
    finally:
        failing.close()


def test_a_refusal_is_not_retried_elsewhere(token_endpoint):
    other = FakeTokenEndpoint(CLIENT_ID, CLIENT_SECRET)
    try:
        with pytest.raises(TokenRefused, match="refused client 'compute': HTTP 401"):
            source(token_endpoint.uri, other.uri, secret="wrong").token()
        assert other.requests == []
    finally:
        other.close()


def test_honours_retry_after_and_keeps_the_current_token_meanwhile(token_endpoint):
    token_endpoint.expires_in = 100
    clock = FakeClock()
    tokens = source(token_endpoint.uri, clock=clock)
    assert tokens.token() == "token-1"
    clock.now += 85
    token_endpoint.fail_next(429, {"Retry-After": "10"})

    assert tokens.token() == "token-1"  # renewal refused with 429; the current token has 15 s left
    clock.now += 5
    assert tokens.token() == "token-1"
    assert len(token_endpoint.requests) == 2  # nothing was sent within the 10 s asked for
    clock.now += 6
    assert tokens.token() == "token-2"


def test_without_a_valid_token_a_429_says_how_long_to_wait(token_endpoint):
    token_endpoint.fail_next(429, {"Retry-After": "30"})
    tokens = source(token_endpoint.uri)

    with pytest.raises(TokenUnavailable) as refused:
        tokens.token()
    assert refused.value.retry_after == 30
    with pytest.raises(TokenUnavailable):
        tokens.token()
    assert len(token_endpoint.requests) == 1


def test_invalidate_fetches_a_new_token(token_endpoint):
    tokens = source(token_endpoint.uri)
    assert tokens.token() == "token-1"

    tokens.invalidate()

    assert tokens.token() == "token-2"


def test_concurrent_callers_share_one_fetch(token_endpoint):
    tokens = source(token_endpoint.uri)
    results = []
    threads = [threading.Thread(target=lambda: results.append(tokens.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    assert results == ["token-1"] * 8
    assert len(token_endpoint.requests) == 1


def test_repr_never_shows_the_secret():
    credentials = Credentials("compute", "very-secret")
    assert "very-secret" not in repr(credentials)
