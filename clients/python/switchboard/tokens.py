"""OAuth2 client-credentials tokens from the auth service, as ``dev.switchboard.client.auth.TokenSource``."""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .config import Credentials

__all__ = ["TokenRefused", "TokenSource", "TokenUnavailable"]

_log = logging.getLogger(__name__)


class TokenUnavailable(Exception):
    """The token endpoints could not give a token.

    Attributes:
        retry_after: seconds the endpoint asked the client to wait (HTTP 429 ``Retry-After``), else ``None``
    """

    def __init__(self, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TokenRefused(TokenUnavailable):
    """The token endpoint refused the client (an HTTP 4xx other than 429: unknown client, wrong secret, disabled).
    Every replica answers the same, so asking again does not help until the client or its secret is fixed."""


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float
    expires_at: float

    def __repr__(self) -> str:  # never the token itself
        return "_Token(renew_at=%r, expires_at=%r)" % (self.renew_at, self.expires_at)


class _Unreachable(Exception):
    """An endpoint that did not answer usefully, as opposed to one that refused: the next one may answer."""


class TokenSource:
    """Gets access tokens with the client-credentials grant (RFC 6749 4.4) and keeps one until a fifth of its
    lifetime is left, then fetches the next.

    The client authenticates with HTTP basic, id and secret form-encoded first (RFC 6749 2.3.1). Endpoints are tried
    in turn, from the one that answered last, while one is unreachable or answers 5xx; a refusal (4xx) ends the
    attempt, since every replica would answer the same. A ``429`` is honoured: until its ``Retry-After`` has passed
    no request is sent, and the current token is used for as long as it has not expired. A renewal that fails
    likewise keeps handing out the current token until it expires.

    Thread-safe: :meth:`token` blocks on HTTP only when it has to fetch, and concurrent callers then wait for the
    same fetch.
    """

    def __init__(self, credentials: Credentials, *, timeout: float = 5.0,
                 ssl_context: Optional[ssl.SSLContext] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """
        Args:
            credentials: the client, its secret and the token endpoints
            timeout: the deadline of each HTTP request, in seconds
            ssl_context: what an ``https`` endpoint is checked against; the system's trust by default
            clock: monotonic seconds, telling when a token is due; replace it in tests
        """
        if not credentials.token_uris:
            raise ValueError("no token endpoint")
        self._credentials = credentials
        self._timeout = timeout
        self._clock = clock
        # no proxies from the environment: the client secret goes to the endpoints configured, nowhere else
        handlers: list = [urllib.request.ProxyHandler({})]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self._opener = urllib.request.build_opener(*handlers)
        self._lock = threading.Lock()
        self._current: Optional[_Token] = None
        self._preferred = 0
        self._not_before = float("-inf")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **kwargs: Any) -> "TokenSource":
        """Returns a source for the client in ``client_id``/``client_secret``/``token_uri`` or
        ``SWITCHBOARD_CLIENT_CREDENTIALS_CLIENTID``/``CLIENTSECRET``/``TOKENURI``."""
        return cls(Credentials.load(environ, **kwargs))

    @property
    def client_id(self) -> str:
        """The client tokens are fetched for."""
        return self._credentials.client_id

    def token(self) -> str:
        """Returns a token with at least a fifth of its lifetime left, fetching one when needed (or, while fetching
        fails, the current one until it expires).

        Raises:
            TokenUnavailable: when no endpoint gives a token and none is held that is still valid
        """
        current = self._current
        if current is not None and self._clock() < current.renew_at:
            return current.value
        with self._lock:
            current = self._current
            now = self._clock()
            if current is not None and now < current.renew_at:
                return current.value
            try:
                if now < self._not_before:
                    raise TokenUnavailable("token endpoint asked to wait %.1f s more (HTTP 429)"
                                           % (self._not_before - now), retry_after=self._not_before - now)
                self._current = self._fetch()
                return self._current.value
            except TokenUnavailable as error:
                if current is not None and self._clock() < current.expires_at:
                    _log.warning("Renewing the token of client '%s' failed (%s); using the current one until it "
                                 "expires", self.client_id, error)
                    return current.value
                raise

    def invalidate(self) -> None:
        """Forgets the current token, so the next :meth:`token` fetches a new one (after the old one was refused)."""
        self._current = None

    def _fetch(self) -> _Token:
        uris = self._credentials.token_uris
        failures = []
        for step in range(len(uris)):
            index = (self._preferred + step) % len(uris)
            try:
                token = self._fetch_from(uris[index])
            except _Unreachable as error:
                failures.append(str(error))
                continue
            self._preferred = index
            return token
        raise TokenUnavailable("no token endpoint answered (%s)" % "; ".join(failures))

    def _fetch_from(self, uri: str) -> _Token:
        request = urllib.request.Request(uri, data=b"grant_type=client_credentials", method="POST", headers={
            "Authorization": "Basic " + self._basic(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        })
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise self._refusal(uri, error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise _Unreachable("%s unreachable: %s" % (uri, reason)) from None
        # the standard token response (RFC 6749 5.1); two fields are all a client needs from it
        try:
            answer = json.loads(body)
            value = answer["access_token"]
            lifetime = float(answer.get("expires_in", 60))
        except (ValueError, KeyError, TypeError):
            raise TokenUnavailable("token endpoint %s answered without an access_token" % uri) from None
        if not isinstance(value, str) or not value:
            raise TokenUnavailable("token endpoint %s answered without an access_token" % uri)
        now = self._clock()
        return _Token(value, renew_at=now + lifetime - lifetime / 5, expires_at=now + lifetime)

    def _refusal(self, uri: str, error: urllib.error.HTTPError) -> Exception:
        """What an HTTP error answer means: wait (429), try the next endpoint (5xx) or give up (4xx)."""
        try:
            error.read()  # releases the connection; the body may name a reason, but never a secret of ours
        except OSError:
            pass
        if error.code == 429:
            wait = _retry_after(error.headers.get("Retry-After"))
            self._not_before = self._clock() + wait
            return TokenUnavailable("token endpoint %s: too many requests for client '%s'; retry in %.0f s"
                                    % (uri, self.client_id, wait), retry_after=wait)
        if error.code >= 500:
            return _Unreachable("%s answered HTTP %d" % (uri, error.code))
        return TokenRefused("token endpoint %s refused client '%s': HTTP %d" % (uri, self.client_id, error.code))

    def _basic(self) -> str:
        pair = "%s:%s" % (urllib.parse.quote_plus(self._credentials.client_id, safe=""),
                          urllib.parse.quote_plus(self._credentials.client_secret, safe=""))
        return base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _retry_after(header: Optional[str]) -> float:
    """Seconds from ``Retry-After`` (delta-seconds or an HTTP date); a second when it is missing or unreadable."""
    if header:
        text = header.strip()
        if text.isdigit():
            return float(text)
        try:
            when = email.utils.parsedate_to_datetime(text)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    return 1.0
