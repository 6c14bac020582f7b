"""Signing webhook bodies: ``X-Vitrine-Signature: t=<unix time>,v1=<hex>``.

``v1`` is the HMAC-SHA256, keyed with the subscription's secret, of the attempt's
timestamp, a dot and the raw body (``b"1700000000." + body``). The timestamp is that of the
attempt (a retry is signed again), so a receiver can refuse a replayed request older than
a few minutes as well as a forged one; :func:`verify` is what a Python receiver runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
#: how old a signed request a receiver should accept by default (seconds)
DEFAULT_TOLERANCE = 300


def new_secret() -> str:
    """A fresh random signing secret."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` with ``secret``."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of ``X-Vitrine-Signature`` for ``body`` sent now (or at ``timestamp``)."""
    stamp = int(time.time() if timestamp is None else timestamp)
    return f"t={stamp},v1={signature(secret, body, stamp)}"


def verify(
    secret: str, body: bytes, header: str, *, tolerance: int = DEFAULT_TOLERANCE, now=None
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is at most ``tolerance``
    seconds old (receivers: run this on the raw body, before parsing the JSON)."""
    parts = dict(item.partition("=")[::2] for item in header.split(",") if "=" in item)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - stamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, body, stamp))
