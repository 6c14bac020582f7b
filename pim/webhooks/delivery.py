"""POSTing one webhook request, with the SSRF guard of image downloads.

The URL goes through :mod:`pim.imports.fetch`'s checks: http(s) only, no credentials, the
host resolved once and refused unless every address is public (or in
``VITRINE_FETCH_ALLOWED_NETWORKS``), and the connection pinned to the checked address (no
DNS rebinding). Redirects are not followed: a 3xx is a failed attempt. The whole exchange
has one short deadline (``VITRINE_WEBHOOKS_TIMEOUT``).
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, replace

from pim.imports import fetch
from pim.imports.fetch import FetchPolicy

USER_AGENT = "Vitrine-Webhooks/1.0"
#: bytes of the receiver's answer kept in the delivery log
EXCERPT_BYTES = 1024


class DeliveryRefused(Exception):
    """The request could not be made or got no HTTP answer; ``str()`` says why."""


@dataclass(frozen=True)
class Answer:
    """What the receiver answered."""

    status: int
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def policy(config, timeout: float) -> FetchPolicy:
    """The download policy of the app (allowed networks), with the webhooks' deadline."""
    return replace(FetchPolicy.from_config(config), timeout=timeout, user_agent=USER_AGENT)


def url_problem(url: str, fetch_policy: FetchPolicy) -> str | None:
    """Why ``url`` may not receive webhooks (resolving its host now), or None."""
    try:
        fetch.checked_target(url, fetch_policy)  # the checks every download goes through
    except fetch.Refused as refused:
        return _webhook_wording(refused.reason)
    return None


def post(url: str, body: bytes, headers: dict, fetch_policy: FetchPolicy) -> Answer:
    """POST ``body`` to ``url``; raises :class:`DeliveryRefused` without an HTTP answer."""
    started = time.monotonic()
    deadline = started + fetch_policy.timeout
    try:
        target = fetch.checked_target(url, fetch_policy)
        connection = fetch.connect_pinned(target, deadline)
        try:
            sent = {
                "Host": target.host_header,
                "User-Agent": fetch_policy.user_agent,
                "Accept-Encoding": "identity",
                "Connection": "close",
                **headers,
            }
            connection.request("POST", target.request_target, body=body, headers=sent)
            with connection.getresponse() as response:
                excerpt = response.read1(EXCERPT_BYTES)
                status = response.status
        finally:
            connection.close()
    except fetch.Refused as refused:
        raise DeliveryRefused(_webhook_wording(refused.reason)) from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryRefused(fetch.describe_error(error, fetch_policy)) from None
    duration = int((time.monotonic() - started) * 1000)
    return Answer(status, excerpt.decode("utf-8", "replace"), duration)


def _webhook_wording(reason: str) -> str:
    return reason.replace("image downloads may not", "webhooks may not").replace(
        "for the whole download", "for the whole request"
    )
