"""The asset library: search, filters, pages of thumbnails, the expiring-rights panel and
the upload forms."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from dam.services.lifecycle import expiring
from dam.services.rights import effective_status
from dam.web import listing
from dam.web.blueprint import bp
from dam.web.common import first_text
from pim.extensions import db
from pim.models import Channel

#: The dashboard's horizon for expiring rights.
EXPIRING_DAYS = 30
EXPIRING_SHOWN = 5


@bp.get("/")
def library():
    """Assets newest first, narrowed by the filters, 48 per page."""
    filters = listing.Filters.from_args(request.args)
    page = listing.fetch_page(
        db.session,
        filters,
        after=request.args.get("after", type=int),
        before=request.args.get("before", type=int),
    )
    soon = expiring(db.session, EXPIRING_DAYS)
    return render_template(
        "dam/library.html",
        filters=filters,
        page=page,
        cards=[_card(asset) for asset in page.assets],
        link_params=filters.params(),
        statuses=listing.STATUSES,
        licences=listing.LICENCES,
        channels=list(db.session.scalars(select(Channel.code).order_by(Channel.code))),
        collections=listing.collections(db.session),
        expiring_days=EXPIRING_DAYS,
        expiring_count=len(soon),
        expiring_first=soon[:EXPIRING_SHOWN],
        can_edit=current_user.can("edit"),
    )


def _card(asset) -> dict:
    return {
        "asset": asset,
        "status": effective_status(asset),
        "alt": first_text(asset.alt_text, first_text(asset.title, asset.filename)),
        "problems": list(asset.problems or []),
    }
