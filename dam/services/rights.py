"""May this asset be used on that channel, in that territory, on that day?

Feeds call :func:`usage_problems` at export time for every picture they would publish; an
empty list means cleared. Each problem is a sentence a feed report can show as is.
"""

from __future__ import annotations

from datetime import date

from dam.models import Asset, AssetStatus, LicenceType, ReleaseStatus


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
) -> list[str]:
    """Why ``asset`` may not be published (empty: it may)."""
    on = on or date.today()
    problems = []
    status = effective_status(asset, on)
    if asset.deleted_at is not None:
        problems.append("asset is in the trash")
    if status == AssetStatus.EXPIRED:
        problems.append(f"usage rights expired on {asset.valid_until.isoformat()}")
    elif status != AssetStatus.APPROVED:
        problems.append(f"asset is {status}, not approved")
    if asset.valid_from is not None and asset.valid_from > on:
        problems.append(f"usage rights start on {asset.valid_from.isoformat()}")
    if asset.licence_type == LicenceType.UNKNOWN:
        problems.append("licence unknown")
    if asset.licence_type in NON_COMMERCIAL:
        problems.append(f"licence {asset.licence_type} forbids commercial use")
    if channel and asset.allowed_channels and channel not in asset.allowed_channels:
        problems.append(f"not cleared for channel {channel}")
    if (
        territory
        and asset.allowed_territories
        and territory.upper() not in (code.upper() for code in asset.allowed_territories)
    ):
        problems.append(f"not cleared for territory {territory.upper()}")
    if asset.model_release == ReleaseStatus.NONE:
        problems.append("no model release")
    if asset.property_release == ReleaseStatus.NONE:
        problems.append("no property release")
    return problems


#: Creative Commons licences that forbid commercial use (a product feed is commercial).
NON_COMMERCIAL = {LicenceType.CC_BY_NC, LicenceType.CC_BY_NC_SA, LicenceType.CC_BY_NC_ND}
