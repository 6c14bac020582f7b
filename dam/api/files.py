"""``/api/v1/assets/{id}/renditions`` and ``…/download``: what the files of an asset are,
and the files themselves (streamed, or a 302 to a pre-signed URL when storage is S3).

Nothing is rendered in the request: a rendition not made yet is queued and answered 503
with ``Retry-After``.
"""

from __future__ import annotations

from flask import Response, current_app, redirect, stream_with_context
from flask.views import MethodView
from marshmallow import RAISE

from dam.api.common import asset_or_404, blp, renditions
from dam.api.schemas import DownloadArgs, RenditionListSchema
from dam.context import current_media
from dam.models import Asset
from dam.services.renditions import (
    UnknownPreset,
    find_rendition,
    preset_named,
    queue_renditions,
)
from dam.storage import StorageError
from dam.storage.base import content_disposition
from dam.web.files import DOWNLOAD_EXPIRES, FILE_CSP
from pim.api.filters import invalid
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.extensions import db

#: How long a client should wait for a queued rendition before asking again (seconds).
RETRY_AFTER = 10
BINARY = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/<int:asset_id>/renditions")
class AssetRenditions(MethodView):
    @blp.response(200, RenditionListSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, asset_id):
        """List an asset's renditions

        One item per configured preset: whether the rendition of the current file is
        made (``generated``; ``failed`` with a ``note`` when the file cannot be rendered),
        its size, its API URL and its signed public URL for feeds.
        """
        asset = asset_or_404(db.session, asset_id)
        return json_response({"items": renditions(db.session, asset), "next": None})


@blp.route("/<int:asset_id>/download")
class AssetDownload(MethodView):
    @blp.arguments(DownloadArgs, location="query", unknown=RAISE)
    @blp.doc(
        responses={
            "200": {
                "description": "The file as an attachment (or a 302 to a pre-signed URL when "
                "storage is S3)",
                "content": {"application/octet-stream": BINARY},
            }
        }
    )
    @documented_errors(blp, 401, 403, 404, 422, 503)
    def get(self, args, asset_id):
        """Download an asset's file

        The current original; ``version=n`` an earlier one; ``preset=NAME`` the rendition
        of the current file (503 with ``Retry-After`` while it is being made).
        """
        asset = asset_or_404(db.session, asset_id)
        if args.get("preset"):
            if args.get("version"):
                raise invalid("version", "renditions are of the current file only")
            return _rendition(asset, args["preset"])
        number = args.get("version") or asset.current_version
        version = next((v for v in asset.versions if v.number == number), None)
        if version is None:
            raise ApiError(404, f"asset {asset.id} has no version {number}.")
        return send(version.storage_key, version.filename, version.content_type, version.size)


def _rendition(asset: Asset, name: str) -> Response:
    media = current_media()
    try:
        preset = preset_named(media, name)
    except UnknownPreset as error:
        raise invalid("preset", str(error)) from None
    if asset.deleted_at is not None:
        raise ApiError(404, f"asset {asset.id} is in the trash: it has no renditions.")
    row = find_rendition(db.session, asset, preset)
    if row is None:
        queue_renditions([asset.id])
        row = find_rendition(db.session, asset, preset)  # a queue running tasks at once
    if row is None:
        raise ApiError(
            503,
            f"The {name} rendition of asset {asset.id} is being made; ask again shortly.",
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    if row.status != "ready" or not row.storage_key:
        raise ApiError(404, f"asset {asset.id} has no {name} rendition: {row.note or row.status}.")
    filename = f"{asset.code}-{name}.{preset.extension}"
    return send(row.storage_key, filename, row.content_type, row.size)


def send(key: str, filename: str, content_type: str, size: int | None) -> Response:
    """The stored object as an attachment: a redirect to the storage's own URL when it has
    one, else streamed."""
    storage = current_media().storage
    try:
        url = storage.download_url(
            key,
            filename=filename,
            content_type=content_type,
            expires=DOWNLOAD_EXPIRES,
            attachment=True,
        )
        if url:
            return redirect(url, code=302)
        if not storage.exists(key):
            raise ApiError(404, f"the file {filename} is missing from storage.")
    except StorageError as error:
        current_app.logger.warning("download of %s failed: %s", key, error)
        raise ApiError(503, "The file cannot be read now; try again later.") from None
    response = Response(
        stream_with_context(storage.iter_chunks(key)),
        mimetype=content_type,
        direct_passthrough=True,
    )
    if size is not None:
        response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response
