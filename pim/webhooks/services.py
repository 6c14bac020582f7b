"""Webhook writes and the dispatcher: subscriptions, fan-out of the outbox, attempts.

Subscription services take a session and flush; the caller commits. The dispatcher
(:func:`deliver_due`) owns its transactions: it commits the fan-out, the claim of due
deliveries and each attempt, so that a crash never sends a request twice without a trace.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from pim import events
from pim.models import (
    DeliveryStatus,
    OutboxEvent,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from pim.models.types import utcnow
from pim.services.errors import ConflictError, InvalidData, Problem
from pim.webhooks import delivery, signing

FIELDS = {"url", "events", "active", "description", "secret", "rotate_secret"}
#: outbox rows turned into deliveries per pass, and due deliveries attempted per pass
BATCH = 200
#: a claimed delivery is not taken by another worker for this long (beyond the timeout)
CLAIM_MARGIN = timedelta(seconds=30)
#: events (and their deliveries) older than this are purged
RETENTION = timedelta(days=30)
RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
MAX_URL = 2000
MAX_DESCRIPTION = 500


# --- subscriptions ---------------------------------------------------------------------------


def create_subscription(session, data: dict, user: User | None) -> WebhookSubscription:
    """A new subscription (``url`` and ``events`` required); its ``secret`` is generated
    unless given."""
    subject = "webhook"
    problems = _problems(data, required=True)
    if problems:
        raise InvalidData(subject, problems)
    subscription = WebhookSubscription(
        url=data["url"],
        events=sorted(set(data["events"])),
        active=data.get("active", True),
        description=data.get("description") or "",
        secret=data.get("secret") or signing.new_secret(),
        created_by=user,
        version=1,
    )
    session.add(subscription)
    session.flush()
    events.forget_subscribed(session)
    return subscription


def update_subscription(
    session, subscription: WebhookSubscription, data: dict, *, expected_version=None
) -> bool:
    """Apply a partial update; ``rotate_secret`` makes a new secret. False if unchanged."""
    subject = f"webhook {subscription.id}"
    if expected_version is not None and expected_version != subscription.version:
        raise ConflictError(subject, expected_version, subscription.version)
    problems = _problems(data, required=False)
    if problems:
        raise InvalidData(subject, problems)
    changes = {k: v for k, v in data.items() if k in FIELDS - {"rotate_secret"}}
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    if data.get("rotate_secret"):
        changes["secret"] = signing.new_secret()
    changed = {k: v for k, v in changes.items() if getattr(subscription, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(subscription, name, value)
    subscription.version += 1
    subscription.updated_at = utcnow()
    session.flush()
    events.forget_subscribed(session)
    return True


def delete_subscription(session, subscription: WebhookSubscription) -> None:
    """Delete a subscription and its delivery log."""
    session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    session.delete(subscription)
    session.flush()
    events.forget_subscribed(session)


def _problems(data: dict, *, required: bool) -> list[Problem]:
    problems = [Problem(f"unknown field {k!r}", field=k) for k in sorted(set(data) - FIELDS)]
    for name in ("url", "events"):
        if required and name not in data:
            problems.append(Problem("is required", field=name))
    if "events" in data:
        problems += _event_problems(data["events"])
    if "url" in data:
        problem = (
            "is longer than 2000 characters"
            if len(data["url"]) > MAX_URL
            else delivery.url_problem(data["url"], _policy())
        )
        if problem:
            problems.append(Problem(problem, field="url"))
    if len(data.get("description") or "") > MAX_DESCRIPTION:
        problems.append(Problem("is longer than 500 characters", field="description"))
    secret = data.get("secret")
    if secret is not None and not 16 <= len(secret) <= 200:
        problems.append(Problem("must be 16 to 200 characters long", field="secret"))
    return problems


def _event_problems(types) -> list[Problem]:
    if not isinstance(types, list) or not types:
        return [Problem("name at least one event type", field="events")]
    unknown = sorted({str(t) for t in types} - set(events.EVENT_TYPES))
    if unknown:
        known = ", ".join(sorted(events.EVENT_TYPES))
        message = f"unknown event type(s) {', '.join(unknown)}; known: {known}"
        return [Problem(message, field="events")]
    return []


def _policy():
    config = current_app.config
    return delivery.policy(config, float(config["WEBHOOKS_TIMEOUT"]))


# --- fan-out -------------------------------------------------------------------------------


def fan_out(session, limit: int = BATCH, now: datetime | None = None) -> int:
    """Turn undispatched outbox rows into one pending delivery per matching active
    subscription, due at ``now`` (flushes); returns the number of events dispatched."""
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    if not rows:
        return 0
    subscriptions = list(
        session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
    )
    now = now or utcnow()
    for event in rows:
        for subscription in subscriptions:
            if event.type in (subscription.events or ()):
                session.add(_new_delivery(subscription, event, now))
        event.dispatched_at = now
    session.flush()
    return len(rows)


def _new_delivery(subscription, event, now) -> WebhookDelivery:
    return WebhookDelivery(
        uuid=str(uuid.uuid4()),
        subscription=subscription,
        event=event,
        event_type=event.type,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def ping(session, subscription: WebhookSubscription) -> WebhookDelivery:
    """A ``ping`` event for this subscription only, with its pending delivery (flushes)."""
    now = utcnow()
    event_id = str(uuid.uuid4())
    data = {"webhook": subscription.id, "events": list(subscription.events or ())}
    payload = {"id": event_id, "type": events.PING, "occurred_at": now.isoformat(), "data": data}
    event = OutboxEvent(
        uuid=event_id, type=events.PING, payload=payload, created_at=now, dispatched_at=now
    )
    session.add(event)
    item = _new_delivery(subscription, event, now)
    session.add(item)
    session.flush()
    return item


# --- attempts ------------------------------------------------------------------------------


@dataclass
class DeliveryPass:
    """What one :func:`deliver_due` did."""

    dispatched: int = 0
    succeeded: int = 0
    failed: int = 0
    dead: int = 0


def deliver_due(session, *, commit=None, now: datetime | None = None) -> DeliveryPass:
    """Fan the outbox out, then attempt every delivery that is due at ``now``.

    ``commit`` (default: the session's) is called after the fan-out, after claiming the
    due deliveries and after each attempt.
    """
    commit = commit or session.commit
    outcome = DeliveryPass()
    now = now or utcnow()
    while dispatched := fan_out(session, now=now):
        outcome.dispatched += dispatched
        commit()
    for delivery_id in claim_due(session, now):
        commit()
        item = session.get(WebhookDelivery, delivery_id)
        status = attempt(session, item, now=now)
        commit()
        outcome.succeeded += status == DeliveryStatus.SUCCEEDED
        outcome.failed += status == DeliveryStatus.FAILED
        outcome.dead += status == DeliveryStatus.DEAD
    commit()
    return outcome


def claim_due(session, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of deliveries due at ``now`` (of active subscriptions), pushed back a little so
    that another worker does not take them while this one sends them."""
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription)
        .where(
            WebhookSubscription.active.is_(True),
            WebhookDelivery.status.in_(RETRYABLE),
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    rows = list(session.scalars(query))
    lease = timedelta(seconds=float(current_app.config["WEBHOOKS_TIMEOUT"])) + CLAIM_MARGIN
    for item in rows:
        item.next_attempt_at = now + lease
    session.flush()
    return [item.id for item in rows]


def body_of(item: WebhookDelivery) -> bytes:
    """The exact bytes POSTed for a delivery (the same for every attempt)."""
    return json.dumps(item.event.payload, ensure_ascii=False, separators=(",", ":")).encode()


def headers_of(item: WebhookDelivery, body: bytes) -> dict:
    """The headers of one attempt (the signature is made for this attempt's time)."""
    return {
        "Content-Type": "application/json",
        "X-Vitrine-Event": item.event_type,
        "X-Vitrine-Delivery": item.uuid,
        "X-Vitrine-Signature": signing.signature_header(item.subscription.secret, body),
    }


def attempt(session, item: WebhookDelivery, *, now: datetime | None = None) -> str:
    """POST the delivery once and record the outcome (flushes); returns the new status.

    A 2xx answer succeeds; anything else (another status, a refused URL, a timeout) is
    retried after ``base × 2^(attempts − 1)`` seconds until the last attempt, then dead.
    """
    config = current_app.config
    body = body_of(item)
    item.attempts += 1
    item.last_attempt_at = utcnow()
    try:
        answer = delivery.post(item.subscription.url, body, headers_of(item, body), _policy())
    except delivery.DeliveryRefused as refused:
        item.last_status_code, item.response_excerpt, item.duration_ms = None, None, None
        item.last_error = str(refused)[:2000]
    else:
        item.last_status_code = answer.status
        item.response_excerpt, item.duration_ms = answer.excerpt, answer.duration_ms
        item.last_error = None if answer.ok else f"the receiver answered {answer.status}"
    if item.last_error is None:
        item.status, item.delivered_at, item.next_attempt_at = (
            DeliveryStatus.SUCCEEDED,
            item.last_attempt_at,
            None,
        )
    elif item.attempts >= int(config["WEBHOOKS_MAX_ATTEMPTS"]):
        item.status, item.next_attempt_at = DeliveryStatus.DEAD, None
    else:
        delay = float(config["WEBHOOKS_RETRY_BASE_SECONDS"]) * 2 ** (item.attempts - 1)
        item.status = DeliveryStatus.FAILED
        item.next_attempt_at = (now or item.last_attempt_at) + timedelta(seconds=delay)
    session.flush()
    return item.status


def purge(session, now: datetime | None = None) -> int:
    """Delete dispatched events older than :data:`RETENTION` and their deliveries
    (flushes); returns the number of events deleted."""
    cutoff = (now or utcnow()) - RETENTION
    old = select(OutboxEvent.id).where(
        OutboxEvent.created_at < cutoff, OutboxEvent.dispatched_at.is_not(None)
    )
    pending = select(WebhookDelivery.event_id).where(WebhookDelivery.status.in_(RETRYABLE))
    old = old.where(OutboxEvent.id.not_in(pending))
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(ids)))
        session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
    session.flush()
    return len(ids)
