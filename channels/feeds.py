"""Saving feeds: every setting checked at once, each refusal naming the setting.

Like the PIM's services these functions flush and never commit; the CLI command, view or
demo loader that calls them owns the transaction.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from channels.formats.base import FeedContext
from channels.mapping import check_mapping
from channels.models import Feed, new_token
from channels.schedule import cron_problem
from dam.context import current_media
from pim.models import Channel
from pim.models.types import utcnow
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure

CODE = re.compile(r"^[A-Za-z0-9_]{1,100}$")
#: filter → what it keeps
FILTER_KEYS = {
    "enabled_only": "enabled products only (default true)",
    "statuses": "workflow statuses kept, e.g. ['approved']",
    "min_completeness": "least completeness (0-100) for the feed's channel and locale",
    "families": "family codes kept",
    "categories": "category codes kept (their subcategories too)",
    "lifecycles": "lifecycle values kept, e.g. ['active', 'new']",
    "missing_translation": "a value missing in the feed's locale but present in another: "
    "'exclude' the product (default), publish it 'empty', or take the 'fallback' locale's",
    "fallback_locale": "the locale whose values fill missing translations (with 'fallback')",
}
SETTINGS = (
    "label",
    "format",
    "locale",
    "currency",
    "territory",
    "mapping",
    "filters",
    "rendition_preset",
    "destination_url",
    "gzip",
    "max_drop",
    "cron",
    "timezone",
)


def get_feed(session, code: str) -> Feed:
    """The feed with this code, or NotFound."""
    feed = session.scalar(select(Feed).where(Feed.code == code))
    if feed is None:
        raise NotFound(_("feed %(code)r does not exist", code=code))
    return feed


def save_feed(session, payload: dict) -> Feed:
    """Create the feed ``payload["code"]`` or update it; InvalidData lists every problem."""
    code = payload.get("code") or ""
    feed = session.scalar(select(Feed).where(Feed.code == code)) if code else None
    if feed is not None:  # an update: what is not given stays as it is
        kept = {name: getattr(feed, name) for name in SETTINGS}
        payload = {**kept, "channel": feed.channel.code, **payload}
    channel = session.scalar(select(Channel).where(Channel.code == payload.get("channel")))
    problems = _problems(session, payload, channel)
    if problems:
        raise InvalidData(_("feed %(code)r", code=code), problems)
    if feed is None:
        feed = Feed(code=code, secret_token=new_token())
        session.add(feed)
    feed.channel = channel
    for name in SETTINGS:
        if name in payload:
            setattr(feed, name, payload[name])
    if feed.territory:
        feed.territory = feed.territory.upper()
    feed.updated_at = utcnow()
    session.flush()
    return feed


def known_formats() -> dict:
    """Format name → writer factory: the tabular ones and those of ``channels.formats``."""
    from channels.formats.tabular import TABULAR

    try:
        from channels.formats import FORMATS
    except ImportError:
        FORMATS = {}  # noqa: N806 - the other formats are not installed yet
    return {**FORMATS, **TABULAR}


def _problems(session, payload: dict, channel: Channel | None) -> list[Problem]:
    problems = []
    unknown = sorted(set(payload) - {"code", "channel", *SETTINGS})
    if unknown:
        problems.append(Problem(_("unknown setting %(value)r", value=unknown[0]), field=unknown[0]))
    if not CODE.match(payload.get("code") or ""):
        problems.append(Problem(_("a code is 1-100 letters, digits or _"), field="code"))
    if channel is None:
        problems.append(
            Problem(
                _("unknown channel %(channel)r", channel=payload.get("channel")), field="channel"
            )
        )
    else:
        problems += _channel_problems(payload, channel)
    if payload.get("format") not in known_formats():
        known = ", ".join(sorted(known_formats()))
        problems.append(
            Problem(
                _(
                    "unknown format %(format)r (known: %(known)s)",
                    format=payload.get("format"),
                    known=known,
                ),
                field="format",
            )
        )
    elif channel is not None and not problems:
        problems += _format_problems(payload, channel)
    territory = payload.get("territory")
    if territory and not re.fullmatch(r"[A-Za-z]{2}", territory):
        problems.append(Problem(_("territory is an ISO country code like FR"), field="territory"))
    structure = Structure.current(session)
    problems += [
        Problem(p, field="mapping") for p in check_mapping(structure, payload.get("mapping") or {})
    ]
    schedule = cron_problem(payload.get("cron"), payload.get("timezone"))
    if schedule:
        problems.append(Problem(schedule, field="cron"))
    problems += _filter_problems(payload.get("filters") or {})
    problems += _target_problems(payload)
    return problems


def _channel_problems(payload: dict, channel: Channel) -> list[Problem]:
    problems = []
    if payload.get("locale") not in channel.locale_codes:
        problems.append(
            Problem(
                _(
                    "locale %(locale)r is not a locale of channel %(code)s (%(locale_codes)s)",
                    locale=payload.get("locale"),
                    code=channel.code,
                    locale_codes=", ".join(channel.locale_codes),
                ),
                field="locale",
            )
        )
    filters = payload.get("filters")
    fallback = filters.get("fallback_locale") if isinstance(filters, dict) else None
    if fallback and fallback not in channel.locale_codes:
        problems.append(
            Problem(
                _(
                    "fallback_locale %(fallback)r is not a locale of channel %(code)s",
                    fallback=fallback,
                    code=channel.code,
                ),
                field="filters",
            )
        )
    if payload.get("currency") not in channel.currency_codes:
        problems.append(
            Problem(
                _(
                    "currency %(currency)r is not a currency of channel %(code)s "
                    "(%(currency_codes)s)",
                    currency=payload.get("currency"),
                    code=channel.code,
                    currency_codes=", ".join(channel.currency_codes),
                ),
                field="currency",
            )
        )
    return problems


def _format_problems(payload: dict, channel: Channel) -> list[Problem]:
    """Settings the format cannot carry (BMEcat knows a fixed list of currencies, say):
    the writer refuses them when it is made."""
    writer_class = known_formats()[payload["format"]]
    if not getattr(writer_class, "wants_context", False):
        return []
    context = FeedContext(
        code=payload.get("code") or "feed",
        label=payload.get("label") or payload.get("code") or "",
        channel=channel.code,
        locale=payload.get("locale") or "",
        currency=payload.get("currency") or "",
        territory=(payload.get("territory") or "").upper() or None,
    )
    try:
        writer_class(context=context)
    except ValueError as error:
        return [
            Problem(
                _(
                    "the %(format)s format refuses this feed: %(error)s",
                    format=payload["format"],
                    error=error,
                ),
                field="format",
            )
        ]
    return []


def _filter_problems(filters) -> list[Problem]:
    if not isinstance(filters, dict):
        return [Problem(_("filters must be an object"), field="filters")]
    problems = [
        Problem(
            _(
                "unknown filter %(key)r (known: %(filter_keys)s)",
                key=key,
                filter_keys=", ".join(FILTER_KEYS),
            ),
            field="filters",
        )
        for key in sorted(set(filters) - set(FILTER_KEYS))
    ]
    least = filters.get("min_completeness")
    if least is not None and not (isinstance(least, int) and 0 <= least <= 100):
        problems.append(Problem(_("min_completeness is a whole percent 0-100"), field="filters"))
    rule = filters.get("missing_translation", "exclude")
    if rule not in ("exclude", "empty", "fallback"):
        problems.append(
            Problem(_("missing_translation is 'exclude', 'empty' or 'fallback'"), field="filters")
        )
    if rule == "fallback" and not filters.get("fallback_locale"):
        problems.append(
            Problem(_("missing_translation 'fallback' needs a fallback_locale"), field="filters")
        )
    return problems


def _target_problems(payload: dict) -> list[Problem]:
    problems = []
    url = payload.get("destination_url")
    if url and urlsplit(url).scheme not in ("file", "s3"):
        problems.append(
            Problem(
                _("a destination is file:///dir or s3://bucket/prefix"), field="destination_url"
            )
        )
    preset = payload.get("rendition_preset")
    if preset:
        presets = current_media().settings.presets
        if preset not in presets:
            problems.append(
                Problem(
                    _(
                        "unknown rendition preset %(preset)r (known: %(presets)s)",
                        preset=preset,
                        presets=", ".join(sorted(presets)),
                    ),
                    field="rendition_preset",
                )
            )
    drop = payload.get("max_drop", 0.2)
    if not isinstance(drop, int | float) or not 0 <= drop <= 1:
        problems.append(Problem(_("max_drop is a share between 0 and 1"), field="max_drop"))
    return problems
