"""The DAM's panel on the PIM dashboard: usage rights that end soon, and expired assets
still shown on products.

Registered in the PIM's ``vitrine_dashboard_panels`` hook (see :mod:`pim.web.dashboard`;
the PIM knows nothing of the DAM). Its links open the asset library's filters.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, render_template
from markupsafe import Markup
from sqlalchemy import exists, func, select

from dam.models import Asset, AssetLink, AssetStatus
from dam.services.lifecycle import expiring
from dam.web.listing import status_clause
from pim.extensions import db

#: How far ahead the panel looks, and how many assets it names.
EXPIRING_DAYS = 30
EXPIRING_SHOWN = 5


def init_app(app: Flask) -> None:
    """Add :func:`expiring_panel` to the dashboard's panels (once)."""
    panels = app.extensions.setdefault("vitrine_dashboard_panels", [])
    if expiring_panel not in panels:
        panels.append(expiring_panel)


def expiring_panel(user) -> Markup | None:
    """The "Assets expiring soon" panel for users who may read the catalogue, else None."""
    if not user.is_authenticated or not user.can("read"):
        return None
    soon = expiring(db.session, EXPIRING_DAYS)
    html = render_template(
        "dashboard/_dam_expiring.html",
        days=EXPIRING_DAYS,
        count=len(soon),
        first=soon[:EXPIRING_SHOWN],
        expired_linked=expired_still_linked(db.session),
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def expired_still_linked(session, today: date | None = None) -> int:
    """How many assets whose rights have ended (expired, or past ``valid_until``) are still
    linked to a product or product model."""
    query = (
        select(func.count())
        .select_from(Asset)
        .where(
            Asset.deleted_at.is_(None),
            status_clause(AssetStatus.EXPIRED.value, today or date.today()),
            exists().where(AssetLink.asset_id == Asset.id),
        )
    )
    return session.scalar(query) or 0
