"""``GET /media/<asset id>/<preset>/<signature>.<extension>``: renditions for channels.

The only DAM route open without signing in (see :mod:`dam.services.public`). It serves
approved assets only: a trashed, draft, archived or expired asset answers 404 like a wrong
signature, so a feed never keeps showing a picture whose rights have ended. A rendition
not made yet is made during the request (a crawler cannot wait for the queue).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, stream_with_context

from dam.context import current_media
from dam.models import Asset, AssetStatus
from dam.services.public import is_valid
from dam.services.renditions import UnknownPreset, make_rendition, preset_named
from dam.services.rights import effective_status
from dam.storage import StorageError
from dam.web.files import INLINE_TYPES, PRESET_NAME
from pim.extensions import db

bp = Blueprint("dam_public", __name__, url_prefix="/media")
#: channels re-fetch images often; the link changes when the picture does not, so a day
PUBLIC_CACHE = "public, max-age=86400"
LINK_EXPIRES = 3600


@bp.get("/<int:asset_id>/<preset>/<token>.<extension>")
def rendition(asset_id: int, preset: str, token: str, extension: str):
    """The rendition, when the signature matches and the asset may be shown."""
    if not PRESET_NAME.match(preset) or not is_valid(asset_id, preset, token):
        abort(404)
    try:
        wanted = preset_named(current_media(), preset)
    except UnknownPreset:
        abort(404)
    asset = db.session.get(Asset, asset_id)
    if (
        asset is None
        or asset.deleted_at is not None
        or effective_status(asset) != AssetStatus.APPROVED
        or extension != wanted.extension
    ):
        abort(404)
    try:
        row = make_rendition(db.session, current_media(), asset, wanted)
        db.session.commit()
    except StorageError:
        abort(503)
    if row.status != "ready" or row.content_type not in INLINE_TYPES or not row.storage_key:
        abort(404)
    return _serve(row)


def _serve(row) -> Response:
    storage = current_media().storage
    try:
        url = storage.download_url(
            row.storage_key,
            filename=row.storage_key.rsplit("/", 1)[-1],
            content_type=row.content_type,
            expires=LINK_EXPIRES,
            attachment=False,
        )
        if url:
            return redirect(url, code=302)
        size = storage.size(row.storage_key)
    except StorageError:
        abort(503)
    response = Response(
        stream_with_context(storage.iter_chunks(row.storage_key)),
        mimetype=row.content_type,
        direct_passthrough=True,
    )
    response.content_length = size
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
