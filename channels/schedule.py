"""Feed schedules: a cron expression and a time zone per feed, checked every minute.

``cron`` is the usual five fields — minute, hour, day of month, month, day of week — with
``*``, lists, ranges and steps (``*/15 6-20 * * 1-5``: every quarter of an hour from 6:00
to 20:45 on weekdays), read in the feed's ``timezone`` (an IANA name such as
``Europe/Paris``; daylight saving time is that zone's). The queue's periodic task
``channels.schedule`` runs every minute in the worker (the one ``vitrine serve`` starts,
so the README's run command needs nothing more) and enqueues the feeds due at that minute;
a feed whose previous run is still going is not started twice (``runs`` refuses it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from huey import crontab
from sqlalchemy import select

from channels.models import Feed


def cron_problem(expression: str | None, timezone: str | None) -> str | None:
    """Why a schedule cannot be used (None when it can, or when there is none)."""
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown time zone {timezone!r} (use an IANA name such as Europe/Paris)"
    if not expression:
        return None
    try:
        _matcher(expression)
    except ValueError as error:
        return f"cron {expression!r}: {error}"
    return None


def _matcher(expression: str):
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("five fields are needed: minute hour day month day-of-week")
    return crontab(*fields, strict=True)


def is_due(feed: Feed, now: datetime) -> bool:
    """Whether ``feed``'s schedule fires at the minute of ``now`` (an aware datetime)."""
    if not feed.cron or cron_problem(feed.cron, feed.timezone):
        return False
    local = now.astimezone(ZoneInfo(feed.timezone or "UTC")).replace(tzinfo=None)
    return bool(_matcher(feed.cron)(local))


def due_feeds(session, now: datetime | None = None) -> list[Feed]:
    """The feeds whose schedule fires at this minute."""
    now = now or datetime.now(UTC)
    feeds = session.scalars(select(Feed).where(Feed.cron.is_not(None)).order_by(Feed.code))
    return [feed for feed in feeds if is_due(feed, now)]
