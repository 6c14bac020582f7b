"""Feed tables: a feed (what to publish, how, where) and its runs (what each build did).

A :class:`Feed` names a sales channel of the PIM, a format, a locale, a currency and a
territory (for image rights), a field mapping and filters (JSON, checked when saved, see
:mod:`channels.feeds`). Every build is a :class:`FeedRun`; the feed records the storage key
of its current good output, which a failed or held run never replaces.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models import Channel
from pim.models.types import JSONType, UTCDateTime, utcnow


class RunStatus(enum.StrEnum):
    """Outcome of a feed build."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    HELD = "held"


def new_token() -> str:
    """A secret for the feed's pull URL."""
    return secrets.token_urlsafe(24)


class Feed(db.Model):
    """One product feed of a channel: format, locale, currency, mapping, filters, target."""

    __tablename__ = "feed"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    #: ISO 3166-1 alpha-2 country the feed sells in (image rights are checked for it)
    territory: Mapped[str | None] = mapped_column(String(2))
    #: target field → {"attribute": code} | {"field": name} | {"constant": v} | {"expr": [...]}
    mapping: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: see :data:`channels.feeds.FILTER_KEYS`
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: rendition preset of image links (None: the channel's preset in the media settings)
    rendition_preset: Mapped[str | None] = mapped_column(String(40))
    #: file:///dir or s3://bucket/prefix; None: only served by Vitrine at the pull URL
    destination_url: Mapped[str | None] = mapped_column(String(1000))
    gzip: Mapped[bool] = mapped_column(Boolean, default=False)
    #: largest share of items a run may lose versus the last good run before it is held
    max_drop: Mapped[float] = mapped_column(Float, default=0.2)
    cron: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    secret_token: Mapped[str] = mapped_column(String(64), default=new_token)
    #: storage key of the current good output (None until a run succeeds)
    current_key: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    channel: Mapped[Channel] = relationship()


class FeedRun(db.Model):
    """One build of a feed: counts, exclusions by reason, errors and the stored output."""

    __tablename__ = "feed_run"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING, index=True)
    #: a delta run writes only what changed since the last published run, and deletions
    delta: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    included: Mapped[int] = mapped_column(default=0)
    excluded: Mapped[int] = mapped_column(default=0)
    #: reason → {"count": n, "sample": [identifiers…]}
    exclusions: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: problems that made the output invalid (the run failed)
    errors: Mapped[list] = mapped_column(JSONType, default=list)
    storage_key: Mapped[str | None] = mapped_column(String(1024))
    size: Mapped[int | None] = mapped_column(BigInteger)

    feed: Mapped[Feed] = relationship()


class FeedItem(db.Model):
    """What a feed last published for one product (for delta runs): a digest of the item.

    A run records the digest of every item it sees as ``pending_digest`` with its own id in
    ``seen_run``; only when the run is published do pending digests become ``digest``, and
    rows the run did not see (products gone or now excluded) are deleted.
    """

    __tablename__ = "feed_item"

    feed_id: Mapped[int] = mapped_column(
        ForeignKey("feed.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: digest of the item as last published (None: seen, never published)
    digest: Mapped[str | None] = mapped_column(String(64))
    pending_digest: Mapped[str | None] = mapped_column(String(64))
    seen_run: Mapped[int] = mapped_column(Integer)
