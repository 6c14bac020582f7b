"""Fixtures of the webhook tests: a loopback receiver, the setting that lets deliveries
reach it, subscriptions and token-carrying API clients.

``receiver``        a threaded HTTP server on 127.0.0.1 recording every request; its
                    ``statuses`` list gives the next answers (200 once it is empty).
``allow_loopback``  ``FETCH_ALLOWED_NETWORKS=127.0.0.0/8`` for the test (loopback is
                    refused otherwise, as in production).
``subscribe``       factory: ``subscribe(url, events)`` → a subscription (service call).
``api_as``          factory: ``api_as("admin")`` → a client sending a new user's token.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pim.auth import issue_token
from pim.webhooks import services


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def receiver():
    """A loopback HTTP server answering POSTs with ``statuses`` (then 200)."""
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(Received(self.path, dict(self.headers), body))
                status = state.statuses.pop(0) if state.statuses else 200
            answer = b'{"ok": true}' if status < 300 else b"receiver trouble"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def allow_loopback(app, monkeypatch):
    """Let webhooks reach 127.0.0.0/8 during the test; retries without delay."""
    monkeypatch.setitem(app.config, "FETCH_ALLOWED_NETWORKS", "127.0.0.0/8")
    monkeypatch.setitem(app.config, "WEBHOOKS_TIMEOUT", 2.0)


@pytest.fixture
def subscribe(db_session, allow_loopback):
    """Factory: a subscription of ``events`` to ``url`` (secret ``test-secret-0123456789``)."""

    def make(url, events, **extra):
        data = {"url": url, "events": events, "secret": "test-secret-0123456789", **extra}
        return services.create_subscription(db_session, data, None)

    return make


class ApiClient:
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    def __init__(self, client, token: str | None, user=None):
        self.client, self.token, self.user = client, token, user

    def open(self, method, url, *, json_body=None, data=None, headers=None):
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            data = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        return self.client.open(url, method=method, data=data, headers=sent)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, body=None, **kw):
        return self.open("POST", url, json_body=body, **kw)

    def patch(self, url, body=None, **kw):
        return self.open("PATCH", url, json_body=body, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)


@pytest.fixture
def api_as(client, db_session, make_user):
    """Factory: ``api_as("admin")`` → an :class:`ApiClient` with a new user's token."""

    def make(role="admin"):
        user = make_user(role=role)
        return ApiClient(client, issue_token(db_session, user, name="tests"), user)

    return make
