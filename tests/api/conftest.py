"""Fixtures of the REST API tests: token-carrying clients per role."""

from __future__ import annotations

import json

import pytest

from pim.auth import issue_token


class ApiClient:
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    def __init__(self, client, token: str | None, user=None):
        self.client = client
        self.token = token
        self.user = user

    def open(self, method: str, url: str, *, json_body=None, data=None, headers=None, **kw):
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            data = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        return self.client.open(url, method=method, data=data, headers=sent, **kw)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, body=None, **kw):
        return self.open("POST", url, json_body=body, **kw)

    def patch(self, url, body=None, **kw):
        return self.open("PATCH", url, json_body=body, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)

    def ndjson(self, url, lines, **kw):
        """PATCH an NDJSON batch; ``lines`` are dicts or raw strings."""
        body = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
        headers = {"Content-Type": "application/x-ndjson", **kw.pop("headers", {})}
        return self.open("PATCH", url, data=body.encode(), headers=headers, **kw)


@pytest.fixture
def api_as(client, db_session, make_user):
    """Factory: ``api_as("viewer")`` → an :class:`ApiClient` with a new user's token."""

    def make(role="editor"):
        user = make_user(role=role)
        return ApiClient(client, issue_token(db_session, user, name="tests"), user)

    return make


@pytest.fixture
def api(api_as):
    """An editor's API client."""
    return api_as("editor")
