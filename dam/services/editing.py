"""Editing an asset's descriptive fields, rights and lifecycle, with history.

Every change is validated as a whole (all problems reported at once, nothing written when
one is found) and recorded as a version of resource type ``asset`` in the PIM's history.
"""

from __future__ import annotations

import re
from datetime import date

from babel import Locale as BabelLocale
from flask_babel import gettext as _
from sqlalchemy import select

from dam.models import (
    STATUS_TRANSITIONS,
    Asset,
    AssetCollection,
    AssetStatus,
    LicenceType,
    ReleaseStatus,
)
from dam.services.rights import effective_status
from pim import events
from pim.models import Channel, Locale
from pim.services import history
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, Problem

RESOURCE = "asset"
ASSET_UPDATED = events.declare(
    "asset.updated", "an asset's file, descriptive fields, rights, status or links changed"
)

#: ISO 3166-1 alpha-2 codes Babel knows (regions such as 001 or 150 excluded).
TERRITORIES = frozenset(
    code for code in BabelLocale("en").territories if re.fullmatch(r"[A-Z]{2}", code)
)
_TEXT_LIMITS = {
    "copyright_holder": 500,
    "copyright_notice": 1000,
    "creator": 500,
    "credit_line": 500,
    "licensor": 500,
    "usage_terms": 10_000,
    "web_statement": 2000,
}
_TAG = re.compile(r"^[^\x00-\x1f]{1,100}$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def asset_state(asset: Asset) -> dict:
    """The snapshot recorded in the asset's history."""
    return {
        "status": asset.status,
        "title": dict(asset.title or {}),
        "alt_text": dict(asset.alt_text or {}),
        "tags": list(asset.tags or []),
        "collections": [c.code for c in asset.collections],
        "focal_point": [asset.focal_x, asset.focal_y] if asset.focal_x is not None else None,
        **{name: getattr(asset, name) for name in _TEXT_LIMITS},
        "licence_type": asset.licence_type,
        "allowed_channels": list(asset.allowed_channels or []),
        "allowed_territories": list(asset.allowed_territories or []),
        "valid_from": asset.valid_from.isoformat() if asset.valid_from else None,
        "valid_until": asset.valid_until.isoformat() if asset.valid_until else None,
        "model_release": asset.model_release,
        "property_release": asset.property_release,
        "file_version": asset.current_version,
    }


def record_version(session, asset: Asset, actor: Actor, before: dict | None, comment=None):
    """Record the asset's state in history (version 1 when ``before`` is None)."""
    if before is not None and before != asset_state(asset):
        events.emit(session, ASSET_UPDATED, asset_event_data(asset))
    return history.record(
        session,
        resource_type=RESOURCE,
        resource_id=asset.id,
        resource_key=asset.code,
        snapshot=asset_state(asset),
        before=before,
        actor=actor,
        comment=comment,
    )


def asset_event_data(asset: Asset) -> dict:
    """``data`` of ``asset.updated``."""
    return {"code": asset.code, "file_version": asset.current_version, "status": asset.status}


def update_asset(
    session, asset: Asset, data: dict, actor: Actor, *, expected_version: int | None = None
):
    """Apply a partial update of descriptive fields, rights and status; None if unchanged."""
    subject = f"asset {asset.code}"
    if expected_version is not None and expected_version != asset.row_version:
        raise ConflictError(subject, expected_version, asset.row_version)
    problems: list[Problem] = []
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        problems.append(Problem(_("unknown field(s): %(unknown)s", unknown=", ".join(unknown))))
    changes = {}
    for name in sorted(set(data) & FIELDS):
        try:
            changes[name] = _CHECKS[name](session, asset, data[name])
        except ValueError as exc:
            problems.append(Problem(str(exc), field=name))
    if "valid_from" in changes or "valid_until" in changes:
        start = changes.get("valid_from", asset.valid_from)
        end = changes.get("valid_until", asset.valid_until)
        if start and end and end < start:
            problems.append(Problem(_("must not be before valid_from"), field="valid_until"))
    if problems:
        raise InvalidData(subject, problems)
    before = asset_state(asset)
    for name, value in changes.items():
        _apply(session, asset, name, value)
    session.flush()
    return record_version(session, asset, actor, before)


def _apply(session, asset: Asset, name: str, value) -> None:
    if name == "focal_point":
        asset.focal_x, asset.focal_y = value if value else (None, None)
    elif name == "collections":
        asset.collections = value
    else:
        setattr(asset, name, value)
    if name != "valid_until" or asset.status != AssetStatus.EXPIRED:
        return
    if value is None or value >= date.today():
        asset.status = AssetStatus.DRAFT  # new rights: back to review, not straight live


def _status(session, asset, value):
    try:
        new = AssetStatus(value)
    except ValueError:
        raise ValueError(
            _("unknown status %(value)r; use one of draft, approved, archived", value=value)
        ) from None
    current = AssetStatus(effective_status(asset))
    if new == current:
        return new
    if new == AssetStatus.EXPIRED:
        raise ValueError(_("expired is set from valid_until, not by hand"))
    if new not in STATUS_TRANSITIONS[current]:
        raise ValueError(_("cannot move from %(current)s to %(new)s", current=current, new=new))
    if new == AssetStatus.APPROVED and current == AssetStatus.EXPIRED:
        raise ValueError(_("extend valid_until before approving an expired asset"))
    return new


def _locale_texts(limit):
    def check(session, asset, value):
        if not isinstance(value, dict):
            raise ValueError(_("must be an object of locale → text"))
        known = set(session.scalars(select(Locale.code)))
        out = {}
        for locale, text in value.items():
            if locale not in known:
                raise ValueError(_("unknown locale %(locale)r", locale=locale))
            if text is None or str(text).strip() == "":
                continue
            if not isinstance(text, str) or len(text) > limit or "\x00" in text:
                raise ValueError(
                    _(
                        "%(locale)s: must be text of at most %(limit)s characters",
                        locale=locale,
                        limit=limit,
                    )
                )
            out[locale] = text.strip()
        return out

    return check


def _tags(session, asset, value):
    if not isinstance(value, list):
        raise ValueError(_("must be a list of tags"))
    tags = []
    for tag in value:
        tag = str(tag).strip()
        if not _TAG.match(tag):
            raise ValueError(
                _("%(value)r is not a valid tag (1 to 100 printable characters)", value=tag[:40])
            )
        if tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    if len(tags) > 100:
        raise ValueError(_("at most 100 tags"))
    return tags


def _collections(session, asset, value):
    if not isinstance(value, list):
        raise ValueError(_("must be a list of collection codes"))
    out = []
    for code in dict.fromkeys(str(code).strip() for code in value):
        if not _CODE.match(code):
            raise ValueError(_("%(value)r is not a valid collection code", value=code[:40]))
        found = session.scalar(select(AssetCollection).where(AssetCollection.code == code))
        out.append(found or AssetCollection(code=code, label=code))
    return out


def _focal(session, asset, value):
    if value is None:
        return None
    try:
        x, y = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(_("must be [x, y] with each between 0 and 1")) from None
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ValueError(_("must be [x, y] with each between 0 and 1"))
    return round(x, 4), round(y, 4)


def _text(name):
    limit = _TEXT_LIMITS[name]

    def check(session, asset, value):
        text = "" if value is None else value
        if not isinstance(text, str) or len(text) > limit or "\x00" in text:
            raise ValueError(_("must be text of at most %(limit)s characters", limit=limit))
        return text.strip()

    return check


def _choice(enum_cls):
    def check(session, asset, value):
        try:
            return enum_cls(value).value
        except ValueError:
            choices = ", ".join(member.value for member in enum_cls)
            raise ValueError(
                _("unknown value %(value)r; use one of %(choices)s", value=value, choices=choices)
            ) from None

    return check


def _channels(session, asset, value):
    if not isinstance(value, list):
        raise ValueError(_("must be a list of channel codes (empty: every channel)"))
    known = set(session.scalars(select(Channel.code)))
    unknown = [code for code in value if code not in known]
    if unknown:
        raise ValueError(_("unknown channel(s): %(codes)s", codes=", ".join(map(str, unknown))))
    return list(dict.fromkeys(value))


def _territories(session, asset, value):
    if not isinstance(value, list):
        raise ValueError(_("must be a list of ISO 3166 country codes (empty: worldwide)"))
    codes = [str(code).strip().upper() for code in value]
    unknown = [code for code in codes if code not in TERRITORIES]
    if unknown:
        raise ValueError(_("not ISO 3166 country codes: %(unknown)s", unknown=", ".join(unknown)))
    return list(dict.fromkeys(codes))


def _date(session, asset, value):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(_("%(value)r is not a date YYYY-MM-DD", value=value)) from None


_CHECKS = {
    "status": _status,
    "title": _locale_texts(500),
    "alt_text": _locale_texts(1000),
    "tags": _tags,
    "collections": _collections,
    "focal_point": _focal,
    **{name: _text(name) for name in _TEXT_LIMITS},
    "licence_type": _choice(LicenceType),
    "model_release": _choice(ReleaseStatus),
    "property_release": _choice(ReleaseStatus),
    "allowed_channels": _channels,
    "allowed_territories": _territories,
    "valid_from": _date,
    "valid_until": _date,
}
FIELDS = frozenset(_CHECKS)
