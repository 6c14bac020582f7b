"""The media panel of product and product model pages, and its link actions.

The panel is registered in the PIM's ``vitrine_product_panels`` hook (the PIM knows
nothing of the DAM). It lists the owner's links (or those it inherits from a model), finds
assets to link with a plain GET search on the owner's own page, and posts link, role,
order and unlink changes here; :mod:`dam.services.links` keeps the owner's asset values
in step with the links.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from dam.services import links
from dam.web import listing
from dam.web.blueprint import bp
from dam.web.common import asset_or_404, first_text, ui_actor
from pim.extensions import db
from pim.models import Product
from pim.services import product_models, products
from pim.services.errors import DomainError, NotFound
from pim.web.security import require, safe_next

SEARCH_RESULTS = 12
OWNER_TYPES = ("product", "product_model")
#: How each link role reads in the panel (a role without words reads as its code).
ROLE_WORDS = {
    "main": _l("main"),
    "gallery": _l("gallery"),
    "swatch": _l("swatch"),
    "on_model": _l("on model"),
    "detail": _l("detail"),
    "size_chart": _l("size chart"),
    "spec_sheet": _l("spec sheet"),
}
ROLE_LABELS = {role: ROLE_WORDS.get(role, role.replace("_", " ")) for role in links.ROLES}


def media_panel(owner) -> Markup | None:
    """The panel's HTML for a product or model page (None for users who may not read)."""
    if not current_user.is_authenticated or not current_user.can("read"):
        return None
    owner_type, owner_key = owner_ref(owner)
    media = links.media_of(db.session, owner)
    can_edit = current_user.can("edit")
    query = request.args.get("asset_q", "").strip()[:200]
    found = _search(query, {item.asset_id for item in media.links if not media.inherited_from})
    keep = {k: v for k, v in request.args.items() if k in ("scope", "locale")}
    html = render_template(
        "dam/_panel.html",
        owner_type=owner_type,
        owner_key=owner_key,
        media=media,
        items=[_item(link) for link in media.links],
        query=query,
        found=found if can_edit else [],
        can_edit=can_edit,
        roles=ROLE_LABELS,
        back=f"{request.path}?{urlencode(keep)}" if keep else request.path,
        keep=keep,
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def owner_ref(owner) -> tuple[str, str]:
    if isinstance(owner, Product):
        return "product", owner.identifier
    return "product_model", owner.code


def _item(link) -> dict:
    asset = link.asset
    return {
        "link": link,
        "asset": asset,
        "alt": first_text(asset.alt_text, first_text(asset.title, asset.filename)),
    }


def _search(query: str, linked: set[int]) -> list:
    if not query:
        return []
    page = listing.fetch_page(db.session, listing.Filters(q=query))
    return [asset for asset in page.assets if asset.id not in linked][:SEARCH_RESULTS]


# --- actions ------------------------------------------------------------------------------


@bp.post("/links")
@require("edit")
def link_asset():
    """Link an asset to a product or model, or change the role of an existing link."""
    owner = _owner_or_404(request.form)
    asset = asset_or_404(_int(request.form.get("asset_id")))
    role = request.form.get("role", "gallery")
    position = request.form.get("position")
    try:
        links.link(
            db.session,
            asset,
            owner,
            role=role,
            position=_int(position) if position not in (None, "") else None,
            actor=ui_actor(),
        )
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        return _done(owner, _("Not linked: %(reason)s", reason=refused), "error", 422)
    shown_as = ROLE_LABELS.get(role, role.replace("_", " "))
    message = _(
        "%(file)s (%(code)s) is shown as %(role)s.",
        file=asset.filename,
        code=asset.code,
        role=shown_as,
    )
    return _done(owner, message)


@bp.post("/links/unlink")
@require("edit")
def unlink_asset():
    """Remove the link between an asset and a product or model."""
    owner = _owner_or_404(request.form)
    asset = asset_or_404(_int(request.form.get("asset_id")))
    try:
        removed = links.unlink(db.session, asset, owner, actor=ui_actor())
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        return _done(owner, _("Not unlinked: %(reason)s", reason=refused), "error", 422)
    if removed:
        message = _("%(file)s unlinked.", file=asset.filename)
    else:
        message = _("%(file)s was not linked.", file=asset.filename)
    return _done(owner, message)


@bp.post("/links/reorder")
@require("edit")
def reorder_links():
    """New order of an owner's links: JSON ``{owner_type, owner_key, asset_ids}`` from the
    drag and drop, or a form moving one asset ``up`` or ``down`` (no JavaScript)."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "getlist"):
        abort(400, "send owner_type, owner_key and asset_ids")
    owner = _owner_or_404(data)
    if request.is_json:
        wanted = data.get("asset_ids")
        if not isinstance(wanted, list) or not all(isinstance(i, int) for i in wanted):
            return jsonify(error="asset_ids must be a list of asset ids"), 400
    else:
        wanted = _moved(owner, _int(data.get("asset_id")), data.get("move", ""))
    try:
        links.reorder(db.session, owner, wanted, actor=ui_actor())
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        return _done(owner, _("Order not changed: %(reason)s", reason=refused), "error", 422)
    return _done(owner, _("Order saved."), order=wanted)


def _moved(owner, asset_id: int, move: str) -> list[int]:
    order = [item.asset_id for item in links.links_of(db.session, owner)]
    if asset_id not in order or move not in ("up", "down"):
        abort(400, "move one linked asset up or down")
    at = order.index(asset_id)
    to = at - 1 if move == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    return order


def _owner_or_404(data):
    owner_type, key = data.get("owner_type", ""), str(data.get("owner_key", ""))
    if owner_type not in OWNER_TYPES or not key:
        abort(400, "owner_type must be product or product_model, with its owner_key")
    try:
        if owner_type == "product":
            return products.get_product(db.session, key)
        return product_models.get_model(db.session, key)
    except NotFound:
        abort(404)


def _int(raw) -> int:
    if isinstance(raw, int):
        return raw
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        abort(400, "an asset id is a number")
    return int(raw)


def _done(owner, message: str, category: str = "success", status: int = 200, **extra):
    """JSON for scripts; else a flash and back to the owner's page (its media panel)."""
    if request.is_json or request.accept_mimetypes.best == "application/json":
        key = "error" if category == "error" else "message"
        return jsonify({key: message, **extra}), status
    flash(message, category)
    target = safe_next(request.form.get("next")) or _owner_url(owner)
    return redirect(f"{target.split('#')[0]}#media", code=303)


def _owner_url(owner) -> str:
    owner_type, key = owner_ref(owner)
    if owner_type == "product":
        return url_for("web.product_page", identifier=key)
    return url_for("web.model_page", code=key)
