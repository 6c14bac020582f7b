"""Rate limits of the REST API, per token, with Flask-Limiter.

Every call under ``/api/v1`` counts against its token's budget (``VITRINE_API_RATE_LIMIT``,
e.g. ``1200/minute;50/second``), shared by all endpoints. The counters live in memory
(one process) by default or in Redis (``VITRINE_RATE_LIMIT_URL=redis://…``) so that the
workers of a deployment share them. Over the limit, the answer is a ``429`` problem
document with ``Retry-After`` (seconds); every answer carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``.

A request without a bearer token is counted by client address, so neither unauthenticated
calls nor the OpenAPI document escape the limits.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter, RequestLimit

from pim.api.problems import problem_response

#: Flask-Limiter evaluates the limit before the exemption.
UNREACHABLE = "1000000000/second"


def init_app(app: Flask, prefix: str) -> None:
    """Limit the requests under ``prefix`` (nothing when the limit is ``off``)."""
    if _off(app.config.get("API_RATE_LIMIT")):
        return

    def exempt() -> bool:
        outside = request.path != prefix and not request.path.startswith(prefix + "/")
        return outside or _off(current_app.config.get("API_RATE_LIMIT"))

    limiter = Limiter(
        client_key,
        app=app,
        application_limits=[current_limit],
        application_limits_exempt_when=exempt,
        storage_uri=app.config.get("RATE_LIMIT_URL") or "memory://",
        strategy="moving-window",
        headers_enabled=True,
        key_prefix="vitrine-api",
        on_breach=too_many_requests,
    )
    app.extensions["vitrine_rate_limiter"] = limiter


def _off(limit) -> bool:
    return str(limit or "off").strip().lower() == "off"


def current_limit() -> str:
    """The configured limit, read at each request (so that it can be changed at run time;
    when turned ``off`` then, requests are exempt and this value is never reached)."""
    limit = current_app.config["API_RATE_LIMIT"]
    return UNREACHABLE if _off(limit) else limit


def client_key() -> str:
    """Whose budget a request spends: its token (hashed; tokens are never stored), else
    its client address."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        return "token:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    return "address:" + (request.remote_addr or "unknown")


def too_many_requests(limit: RequestLimit):
    """The 429 answer; Flask-Limiter adds ``Retry-After`` and the ``X-RateLimit-*``
    headers to it."""
    return problem_response(
        429,
        f"Too many requests: this token may make {limit.limit} requests. "
        "Wait for the number of seconds in Retry-After.",
    )
