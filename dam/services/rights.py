"""May this asset be used on that channel, in that territory, on that day?

Feeds call :func:`usage_problems` at export time for every picture they would publish; an
empty list means cleared. Each problem is a sentence: in the reader's language for the
asset page and the API, in English for the feed runs that store them.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext

from dam.models import Asset, AssetStatus, LicenceType, ReleaseStatus
from pim.i18n import N_, english


def effective_status(asset: Asset, today: date | None = None) -> str:
    """The lifecycle status, with ``expired`` derived from ``valid_until`` even before the
    daily job has run (archived stays archived)."""
    today = today or date.today()
    if (
        asset.status in (AssetStatus.DRAFT, AssetStatus.APPROVED)
        and asset.valid_until is not None
        and asset.valid_until < today
    ):
        return AssetStatus.EXPIRED
    return asset.status


def usage_problems(
    asset: Asset,
    *,
    channel: str | None = None,
    territory: str | None = None,
    on: date | None = None,
    translate: bool = True,
) -> list[str]:
    """Why ``asset`` may not be published (empty: it may), in the current language; with
    ``translate=False`` in English (the feeds store them, see :data:`USAGE_MESSAGES`)."""
    say = gettext if translate else english
    on = on or date.today()
    problems = []
    status = effective_status(asset, on)
    if asset.deleted_at is not None:
        problems.append(say(N_("asset is in the trash")))
    if status == AssetStatus.EXPIRED:
        problems.append(
            say(N_("usage rights expired on %(day)s"), day=asset.valid_until.isoformat())
        )
    elif status != AssetStatus.APPROVED:
        problems.append(say(N_("asset is %(status)s, not approved"), status=status))
    if asset.valid_from is not None and asset.valid_from > on:
        problems.append(say(N_("usage rights start on %(day)s"), day=asset.valid_from.isoformat()))
    if asset.licence_type == LicenceType.UNKNOWN:
        problems.append(say(N_("licence unknown")))
    if asset.licence_type in NON_COMMERCIAL:
        problems.append(
            say(N_("licence %(licence)s forbids commercial use"), licence=asset.licence_type)
        )
    if channel and asset.allowed_channels and channel not in asset.allowed_channels:
        problems.append(say(N_("not cleared for channel %(channel)s"), channel=channel))
    if (
        territory
        and asset.allowed_territories
        and territory.upper() not in (code.upper() for code in asset.allowed_territories)
    ):
        problems.append(
            say(N_("not cleared for territory %(territory)s"), territory=territory.upper())
        )
    if asset.model_release == ReleaseStatus.NONE:
        problems.append(say(N_("no model release")))
    if asset.property_release == ReleaseStatus.NONE:
        problems.append(say(N_("no property release")))
    return problems


#: The messages of :func:`usage_problems`, to translate stored ones when they are shown.
USAGE_MESSAGES = (
    "asset is in the trash",
    "usage rights expired on %(day)s",
    "asset is %(status)s, not approved",
    "usage rights start on %(day)s",
    "licence unknown",
    "licence %(licence)s forbids commercial use",
    "not cleared for channel %(channel)s",
    "not cleared for territory %(territory)s",
    "no model release",
    "no property release",
)

#: Creative Commons licences that forbid commercial use (a product feed is commercial).
NON_COMMERCIAL = {LicenceType.CC_BY_NC, LicenceType.CC_BY_NC_SA, LicenceType.CC_BY_NC_ND}
