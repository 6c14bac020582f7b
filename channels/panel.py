"""The feeds' panel on the PIM dashboard: the latest runs, failed and held ones marked.

Registered in the PIM's ``vitrine_dashboard_panels`` hook (see :mod:`pim.web.dashboard`;
the PIM knows nothing of the channels). Each run links to its feed's run history.
"""

from __future__ import annotations

from flask import Flask, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from channels.models import FeedRun
from pim.extensions import db

#: How many runs the panel lists.
RUNS_SHOWN = 5


def init_app(app: Flask) -> None:
    """Add :func:`recent_runs_panel` to the dashboard's panels (once)."""
    panels = app.extensions.setdefault("vitrine_dashboard_panels", [])
    if recent_runs_panel not in panels:
        panels.append(recent_runs_panel)


def recent_runs_panel(user) -> Markup | None:
    """The "Recent feed runs" panel for users who may read the catalogue, else None."""
    if not user.is_authenticated or not user.can("read"):
        return None
    runs = db.session.scalars(
        select(FeedRun)
        .options(joinedload(FeedRun.feed))
        .order_by(FeedRun.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    html = render_template("channels/_dashboard.html", runs=runs)
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template
