"""Serving files: originals (always as attachments) and renditions (raster images only).

Routes take integer ids and a checked preset name, never a path: what is served is always
a storage key read from the database. Nothing is rendered here: a missing rendition is
queued and a placeholder served meanwhile.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from flask import Response, abort, redirect, request, stream_with_context
from flask_babel import gettext as _

from dam.context import current_media
from dam.models import Asset, AssetVersion
from dam.presets import FORMAT_ALIASES, Preset
from dam.render import placeholder
from dam.services.renditions import (
    UnknownPreset,
    find_rendition,
    preset_named,
    queue_renditions,
)
from dam.storage import StorageError
from dam.storage.base import content_disposition
from dam.web.blueprint import bp
from dam.web.common import asset_or_404
from pim.extensions import db

PRESET_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
#: Types a rendition may be served inline as (we made them; still, never anything else).
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/avif", "image/gif", "image/tiff"}
)
#: Presigned links to originals live this long (seconds).
DOWNLOAD_EXPIRES = 300
RENDITION_EXPIRES = 3600
LONG_CACHE = "private, max-age=31536000, immutable"
#: Served files may be opened directly: they get no right to run or embed anything.
FILE_CSP = "default-src 'none'; sandbox"


@bp.get("/<int:asset_id>/download")
def download(asset_id: int):
    """The original file of the current version (or ``?version=n``), as an attachment."""
    asset = asset_or_404(asset_id)
    version = _version_or_404(asset, request.args.get("version"))
    storage = current_media().storage
    try:
        url = storage.download_url(
            version.storage_key,
            filename=version.filename,
            content_type=version.content_type,
            expires=DOWNLOAD_EXPIRES,
            attachment=True,
        )
        if url:
            return redirect(url, code=302)
        if not storage.exists(version.storage_key):
            abort(
                404,
                _("the file of version %(number)s is missing from storage", number=version.number),
            )
    except StorageError as error:
        abort(503, _("the file cannot be read now: %(error)s", error=error))
    response = _stream(storage, version.storage_key, version.content_type, version.size)
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _version_or_404(asset: Asset, raw: str | None) -> AssetVersion:
    if raw is None:
        number = asset.current_version
    elif raw.isascii() and raw.isdigit() and len(raw) < 10:
        number = int(raw)
    else:
        abort(400, _("version must be a version number"))
    found = next((v for v in asset.versions if v.number == number), None)
    if found is None:
        abort(404, _("asset %(code)s has no version %(number)s", code=asset.code, number=number))
    return found


@bp.get("/<int:asset_id>/renditions/<preset>")
def rendition(asset_id: int, preset: str):
    """The rendition of the current version for ``preset``; a placeholder while it waits."""
    if not PRESET_NAME.match(preset):
        abort(400, "a preset name is 1-40 of a-z, 0-9, _ and -, starting with a letter")
    try:
        wanted = preset_named(current_media(), preset)
    except UnknownPreset as error:
        abort(400, str(error))
    _check_format(wanted, request.args.get("format"))
    asset = asset_or_404(asset_id)
    row = find_rendition(db.session, asset, wanted)
    if row is None:
        queue_renditions([asset.id])
        return _placeholder(wanted, "pending", "no-store")
    if row.status != "ready" or row.content_type not in INLINE_TYPES or not row.storage_key:
        reason = row.note or f"rendition is {row.status}"
        return _placeholder(wanted, "failed", "private, no-cache", reason)
    return _serve_rendition(asset, row)


def _check_format(preset: Preset, asked: str | None) -> None:
    if asked is None:
        return
    name = asked.strip().upper()
    if FORMAT_ALIASES.get(name, name) != preset.format:
        abort(
            400,
            f"unknown format {asked[:20]!r} for preset {preset.name}: it makes "
            f"{preset.extension} files only",
        )


def _serve_rendition(asset: Asset, row) -> Response:
    storage = current_media().storage
    try:
        url = storage.download_url(
            row.storage_key,
            filename=f"{asset.code}-{row.preset}.{row.storage_key.rsplit('.', 1)[-1]}",
            content_type=row.content_type,
            expires=RENDITION_EXPIRES,
            attachment=False,
        )
    except StorageError as error:
        abort(503, f"the rendition cannot be read now: {error}")
    if url:
        return redirect(url, code=302)
    response = _stream(storage, row.storage_key, row.content_type, row.size)
    response.set_etag(f"{row.version}-{row.fingerprint}")
    tag = request.args.get("v")
    cached = tag == f"{row.version}-{row.fingerprint}"
    response.headers["Cache-Control"] = LONG_CACHE if cached else "private, no-cache"
    response.headers["X-Vitrine-Rendition"] = "ready"
    return response.make_conditional(request)


def _stream(storage, key: str, content_type: str, size: int | None) -> Response:
    response = Response(
        stream_with_context(storage.iter_chunks(key)),
        mimetype=content_type,
        direct_passthrough=True,
    )
    if size is not None:
        response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response


def _placeholder(preset: Preset, state: str, cache: str, reason: str = "") -> Response:
    data = placeholder_bytes(preset)
    response = Response(data, mimetype=preset.content_type)
    response.headers["Cache-Control"] = cache
    response.headers["X-Vitrine-Rendition"] = state
    if reason:
        response.headers["X-Vitrine-Rendition-Note"] = _header_text(reason)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    return response


@lru_cache(maxsize=32)
def placeholder_bytes(preset: Preset) -> bytes:
    """The placeholder image of a preset (made once per preset and process)."""
    out = io.BytesIO()
    placeholder(preset, out)
    return out.getvalue()


def _header_text(text: str) -> str:
    """``text`` as a one-line, printable ASCII header value."""
    plain = "".join(ch if 32 <= ord(ch) < 127 else " " for ch in text)
    return " ".join(plain.split())[:300]
