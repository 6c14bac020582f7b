"""Small helpers shared by the DAM views: lookups that answer 404, JSON negotiation, URLs."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_login import current_user

from dam.context import current_media
from dam.models import Asset
from dam.services.renditions import fingerprint
from pim.extensions import db
from pim.services.actors import Actor


def asset_or_404(asset_id: int) -> Asset:
    """The asset with this id (trashed ones too), else 404."""
    asset = db.session.get(Asset, asset_id)
    if asset is None:
        abort(404)
    return asset


def wants_json() -> bool:
    """Whether the client asked for JSON (``Accept: application/json``) rather than HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def ui_actor() -> Actor:
    return Actor.for_user(current_user, "ui")


def user():
    """The signed-in user (the model object, not the proxy)."""
    return current_user._get_current_object()


def rendition_url(asset: Asset, preset_name: str) -> str:
    """The rendition route for ``asset`` and ``preset_name``, with a ``v`` parameter naming
    the file it will serve (version and fingerprint), so browsers may cache it for long."""
    preset = current_media().settings.presets.get(preset_name)
    if preset is None:
        return url_for("dam.rendition", asset_id=asset.id, preset=preset_name)
    tag = f"{asset.current_version}-{fingerprint(asset, preset)}"
    return url_for("dam.rendition", asset_id=asset.id, preset=preset_name, v=tag)


def first_text(texts: dict | None, fallback: str) -> str:
    """Any non-empty text of a locale → text mapping, else ``fallback``."""
    return next((text for text in (texts or {}).values() if text), fallback)
