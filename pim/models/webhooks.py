"""Webhooks: subscriptions, the transactional outbox of events, and the delivery log.

An :class:`OutboxEvent` is written in the same transaction as the change it describes
(:mod:`pim.events`); the dispatcher turns each committed event into one
:class:`WebhookDelivery` per matching active :class:`WebhookSubscription` and POSTs it,
retrying with exponential backoff (:mod:`pim.webhooks`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType, UTCDateTime, utcnow
from pim.models.users import User


class DeliveryStatus(enum.StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"  # waiting for its (next) attempt
    SUCCEEDED = "succeeded"  # the receiver answered 2xx
    FAILED = "failed"  # the last attempt failed; another one is scheduled
    DEAD = "dead"  # every attempt failed (or the URL is refused): no more retries


class WebhookSubscription(db.Model):
    """Where to POST which events, signed with which secret."""

    __tablename__ = "webhook_subscription"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: the HMAC key; kept in clear (signing needs it), shown once when created or rotated
    secret: Mapped[str] = mapped_column(String(200))
    #: event types (see :data:`pim.events.EVENT_TYPES`)
    events: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    #: bumped by every change (the API's ETag)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class OutboxEvent(db.Model):
    """One event, committed with its change; ``dispatched_at`` is set once it has been
    turned into deliveries."""

    __tablename__ = "outbox_event"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(60), index=True)
    #: ``{id, type, occurred_at, data}``: the body every delivery sends
    payload: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class WebhookDelivery(db.Model):
    """One event sent to one subscription: every attempt updates the row."""

    __tablename__ = "webhook_delivery"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``X-Vitrine-Delivery``: the same for every attempt of this delivery
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_event.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: the first bytes of the receiver's last answer
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship()
    event: Mapped[OutboxEvent] = relationship()
