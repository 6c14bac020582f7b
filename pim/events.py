"""Domain events for webhooks, recorded in a transactional outbox.

:func:`emit` adds a row to the ``outbox_event`` table *in the caller's transaction*: the
event is committed with the change it describes, and a rolled-back change leaves no event.
The webhook dispatcher (:mod:`pim.webhooks`) fans committed rows out to the subscriptions
after the commit, or at the latest a minute later.

Emitting is cheap when nobody listens: the event types of the active subscriptions are
read once per transaction (one small query) and an event of another type writes nothing.
Saving a subscription forgets that cache (:func:`forget_subscribed`), so a subscription
created in the same transaction is seen at once; others are seen from the next
transaction on.

Event types are a registry: the PIM declares its own here; plugins declare theirs with
:func:`declare` (the DAM ``asset.updated``, the channels ``feed.run.finished``).

Payload of every event::

    {"id": "<uuid4>", "type": "product.updated", "occurred_at": "2026-11-23T21:40:53+00:00",
     "data": {...}}

Products carry ``data = {identifier, version, href}`` only (``href`` is the product's API
URL path): events stay small and cheap for bulk writers, and a receiver that needs the
product fetches its current state rather than trusting a possibly stale copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from urllib.parse import quote

from sqlalchemy import insert, select
from sqlalchemy.orm import scoped_session

from pim.models.types import utcnow

#: type → what it means (shown in the API documentation and the settings page)
EVENT_TYPES: dict[str, str] = {}
#: sent by ``POST /api/v1/webhooks/{id}/ping`` only; nobody subscribes to it
PING = "ping"
DISPATCH_PENDING = "vitrine_webhooks_emitted"
_SUBSCRIBED = "vitrine_webhooks_subscribed"
PRODUCTS_PATH = "/api/v1/products/"


def declare(event_type: str, description: str) -> str:
    """Declare an event type subscriptions may name (idempotent); returns it."""
    EVENT_TYPES[event_type] = description
    return event_type


PRODUCT_CREATED = declare("product.created", "a product was created")
PRODUCT_UPDATED = declare("product.updated", "a product's fields, values or links changed")
PRODUCT_DELETED = declare("product.deleted", "a product was deleted")
IMPORT_FINISHED = declare("import.finished", "an import job ended (succeeded or failed)")


def subscribed_types(session) -> frozenset[str]:
    """Event types some active subscription wants, read once per transaction."""
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    cached = session.info.get(_SUBSCRIBED)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    from pim.models.webhooks import WebhookSubscription

    types: set[str] = set()
    with session.no_autoflush:  # a read on the side must not flush the caller's work early
        rows = session.execute(
            select(WebhookSubscription.events).where(WebhookSubscription.active.is_(True))
        ).all()
    for (events,) in rows:
        types.update(events or ())
    result = frozenset(types)
    session.info[_SUBSCRIBED] = (transaction or session.get_transaction(), result)
    return result


def forget_subscribed(session) -> None:
    """Forget the cached subscribed types (after a subscription was saved)."""
    session.info.pop(_SUBSCRIBED, None)


def emit(session, event_type: str, data: dict) -> bool:
    """Record one event in the caller's transaction (no flush of the session, no commit).

    Returns False (and writes nothing) when no active subscription wants the type.
    """
    return emit_many(session, event_type, [data]) > 0


def emit_many(session, event_type: str, items: Iterable[dict]) -> int:
    """Record one event per item of ``items`` with one multi-row INSERT (bulk writers);
    returns how many were recorded (0 when nobody subscribes to the type)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; declare it with events.declare")
    if event_type not in subscribed_types(session):
        return 0
    rows = [_row(event_type, data) for data in items]
    if rows:
        from pim.models.webhooks import OutboxEvent

        session.execute(insert(OutboxEvent.__table__), rows)
        session.info[DISPATCH_PENDING] = True
    return len(rows)


def _row(event_type: str, data: dict) -> dict:
    now = utcnow()
    event_id = str(uuid.uuid4())
    payload = {"id": event_id, "type": event_type, "occurred_at": now.isoformat(), "data": data}
    return {"uuid": event_id, "type": event_type, "payload": payload, "created_at": now}


def product_data(identifier: str, version: int) -> dict:
    """``data`` of the product events."""
    href = PRODUCTS_PATH + quote(identifier, safe="")
    return {"identifier": identifier, "version": version, "href": href}
