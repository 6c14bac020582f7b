"""The asset library's query: search, filters and keyset pages (newest first).

Filters read from the query string are checked here (unknown values are ignored), so the
view only passes ``request.args``. Pages are cut on ``asset.id`` like the product list: the
last page is as fast as the first.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import Text, and_, cast, exists, func, or_, select

from dam.models import Asset, AssetCollection, AssetLink, AssetStatus, LicenceType

PAGE_SIZE = 48
DEFAULT_EXPIRING_DAYS = 30
MAX_EXPIRING_DAYS = 3650
#: Columns the search box looks in (JSON ones as their text).
TEXT_COLUMNS = (
    Asset.filename,
    Asset.code,
    Asset.creator,
    Asset.copyright_holder,
    Asset.copyright_notice,
    Asset.credit_line,
)
JSON_COLUMNS = (Asset.tags, Asset.title, Asset.alt_text)
STATUSES = tuple(status.value for status in AssetStatus)
LICENCES = tuple(licence.value for licence in LicenceType)


@dataclass(frozen=True)
class Filters:
    """What the library is narrowed to; every field is optional."""

    q: str = ""
    status: str = ""
    expiring: int | None = None
    licence: str = ""
    channel: str = ""
    collection: str = ""
    unused: bool = False
    trash: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        status = args.get("status", "")
        licence = args.get("licence", "")
        return cls(
            q=args.get("q", "").strip()[:200],
            status=status if status in STATUSES else "",
            expiring=_days(args.get("expiring")),
            licence=licence if licence in LICENCES else "",
            channel=args.get("channel", "").strip()[:100],
            collection=args.get("collection", "").strip()[:100],
            unused=args.get("unused") == "1",
            trash=args.get("trash") == "1",
        )

    def params(self) -> dict:
        """Query parameters repeating these filters (empty ones left out)."""
        out = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is True:
                out[item.name] = "1"
            elif value not in ("", None, False):
                out[item.name] = value
        return out

    @property
    def active(self) -> bool:
        return bool(self.params())


def _days(raw: str | None) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        days = int(raw)
    except ValueError:
        return DEFAULT_EXPIRING_DAYS
    return min(max(days, 0), MAX_EXPIRING_DAYS)


@dataclass
class Page:
    assets: list[Asset]
    next_after: int | None
    prev_before: int | None


def fetch_page(session, filters: Filters, *, after=None, before=None, today=None) -> Page:
    """Up to :data:`PAGE_SIZE` assets after (or before) a cursor, newest first."""
    query = select(Asset).where(*conditions(filters, today or date.today()))
    if before is not None:
        query = query.where(Asset.id > before).order_by(Asset.id)
    else:
        if after is not None:
            query = query.where(Asset.id < after)
        query = query.order_by(Asset.id.desc())
    found = list(session.scalars(query.limit(PAGE_SIZE + 1)))
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if before is not None:
        found.reverse()
    if not found:
        return Page([], None, None)
    has_next = more if before is None else True
    has_prev = (after is not None) if before is None else more
    return Page(found, found[-1].id if has_next else None, found[0].id if has_prev else None)


def conditions(filters: Filters, today: date) -> list:
    """The WHERE clauses of ``filters``."""
    clauses = [Asset.deleted_at.is_not(None) if filters.trash else Asset.deleted_at.is_(None)]
    if filters.q:
        clauses.append(_search(filters.q))
    if filters.status:
        clauses.append(status_clause(filters.status, today))
    if filters.expiring is not None:
        clauses.append(expiring_clause(filters.expiring, today))
    if filters.licence:
        clauses.append(Asset.licence_type == filters.licence)
    if filters.channel:
        clauses.append(channel_clause(filters.channel))
    if filters.collection:
        clauses.append(Asset.collections.any(AssetCollection.code == filters.collection))
    if filters.unused:
        clauses.append(~exists().where(AssetLink.asset_id == Asset.id))
    return clauses


def _search(text: str):
    needle = text.lower()
    columns = [func.lower(column) for column in TEXT_COLUMNS]
    columns += [func.lower(cast(column, Text)) for column in JSON_COLUMNS]
    return or_(*(column.contains(needle, autoescape=True) for column in columns))


def status_clause(status: str, today: date):
    """Assets whose *effective* status is ``status`` (see :func:`dam.services.rights.
    effective_status`: draft or approved past ``valid_until`` count as expired)."""
    live = (AssetStatus.DRAFT.value, AssetStatus.APPROVED.value)
    past_end = and_(Asset.valid_until.is_not(None), Asset.valid_until < today)
    if status == AssetStatus.EXPIRED:
        return or_(Asset.status == status, and_(Asset.status.in_(live), past_end))
    if status in live:
        return and_(Asset.status == status, ~past_end)
    return Asset.status == status


def expiring_clause(days: int, today: date):
    """Draft or approved assets whose rights end within ``days`` days (as
    :func:`dam.services.lifecycle.expiring`)."""
    return and_(
        Asset.valid_until >= today,
        Asset.valid_until <= today + timedelta(days=days),
        Asset.status.in_([AssetStatus.DRAFT.value, AssetStatus.APPROVED.value]),
    )


def channel_clause(channel: str):
    """Assets cleared for ``channel``: no channel restriction, or the channel listed."""
    as_text = cast(Asset.allowed_channels, Text)
    unrestricted = or_(Asset.allowed_channels.is_(None), as_text.in_(("[]", "null")))
    quoted = '"' + channel.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return or_(unrestricted, as_text.contains(quoted, autoescape=True))


def collections(session) -> list[AssetCollection]:
    """Every collection, for the filter."""
    return list(session.scalars(select(AssetCollection).order_by(AssetCollection.code)))
