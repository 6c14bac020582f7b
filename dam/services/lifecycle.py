"""Expiry of usage rights: the daily job and the list of assets expiring soon."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from dam.models import Asset, AssetStatus


def expire_assets(session, today: date | None = None) -> list[Asset]:
    """Mark draft or approved assets whose ``valid_until`` has passed as expired."""
    today = today or date.today()
    due = list(
        session.scalars(
            select(Asset).where(
                Asset.valid_until < today,
                Asset.status.in_([AssetStatus.DRAFT, AssetStatus.APPROVED]),
                Asset.deleted_at.is_(None),
            )
        )
    )
    for asset in due:
        asset.status = AssetStatus.EXPIRED
    session.flush()
    return due


def expiring(session, days: int, today: date | None = None) -> list[Asset]:
    """Assets in use (draft or approved) whose rights end within ``days`` days, soonest first."""
    today = today or date.today()
    return list(
        session.scalars(
            select(Asset)
            .where(
                Asset.valid_until >= today,
                Asset.valid_until <= today + timedelta(days=days),
                Asset.status.in_([AssetStatus.DRAFT, AssetStatus.APPROVED]),
                Asset.deleted_at.is_(None),
            )
            .order_by(Asset.valid_until, Asset.id)
        )
    )
