"""An OAuth2 token endpoint (client credentials, HTTP basic) on http.server."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional, Tuple


class FakeTokenEndpoint:
    """Issues ``token-1``, ``token-2``, ... to one client; answers queued failures first (``fail_next``)."""

    def __init__(self, client_id: str, client_secret: str, expires_in: int = 900) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.requests: List[dict] = []
        self.issued: List[str] = []
        self.revoked: set = set()
        self._failures: List[Tuple[int, dict]] = []
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                endpoint._answer(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def uri(self) -> str:
        return "http://127.0.0.1:%d/oauth2/token" % self._server.server_address[1]

    def fail_next(self, status: int, headers: Optional[dict] = None) -> None:
        with self._lock:
            self._failures.append((status, headers or {}))

    def valid(self, token: str) -> bool:
        with self._lock:
            return token in self.issued and token not in self.revoked

    def bearer_valid(self, metadata) -> bool:
        value = dict(metadata or ()).get("authorization", "")
        return value.startswith("Bearer ") and self.valid(value[len("Bearer "):])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, body: str) -> None:
        client = secret = None
        authorization = handler.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[len("Basic "):]).decode()
            raw_id, _, raw_secret = pair.partition(":")
            client, secret = urllib.parse.unquote_plus(raw_id), urllib.parse.unquote_plus(raw_secret)
        with self._lock:
            self.requests.append({"client_id": client, "secret_ok": secret == self.client_secret, "body": body,
                                  "basic": authorization})
            failure = self._failures.pop(0) if self._failures else None
            if failure is None and client == self.client_id and secret == self.client_secret \
                    and body == "grant_type=client_credentials":
                token = "token-%d" % (len(self.issued) + 1)
                self.issued.append(token)
            else:
                token = None
        if failure is not None:
            status, headers, payload = failure[0], failure[1], {"error": "failure"}
        elif token is None:
            status, headers, payload = 401, {}, {"error": "invalid_client"}
        else:
            status, headers, payload = 200, {}, {"access_token": token, "token_type": "Bearer",
                                                 "expires_in": self.expires_in}
        data = json.dumps(payload).encode()
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
