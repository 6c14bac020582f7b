"""The pull URL: ``GET /feeds/<code>/<token>`` streams a feed's current output.

Channels that fetch feeds (Google Merchant scheduled fetches, marketplaces) cannot sign in:
the feed's secret token in the URL is the credential. It is compared in constant time, and
any mismatch, unknown feed or feed without output answers the same 404.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, Response, abort, stream_with_context
from sqlalchemy import select

from channels.feeds import known_formats
from channels.models import Feed
from dam.context import current_media
from dam.storage import StorageError
from pim.extensions import db

bp = Blueprint("channels", __name__, url_prefix="/feeds")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/<code>/<token>")
def pull(code: str, token: str):
    """The current output of feed ``code`` for whoever knows its token."""
    feed = db.session.scalar(select(Feed).where(Feed.code == code[:100]))
    secret = feed.secret_token if feed is not None else "-"
    if not hmac.compare_digest(secret.encode(), token.encode(errors="replace")) or feed is None:
        abort(404)
    storage = current_media().storage
    try:
        size = storage.size(feed.current_key) if feed.current_key else None
    except StorageError:
        size = None
    if size is None:
        abort(404)
    response = Response(
        stream_with_context(storage.iter_chunks(feed.current_key)),
        mimetype=content_type_of(feed.current_key),
        direct_passthrough=True,
    )
    response.content_length = size
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_type_of(key: str) -> str:
    """The media type of a stored output, from its extension."""
    if key.endswith(".gz"):
        return "application/gzip"
    extension = key.rsplit(".", 1)[-1]
    for writer in known_formats().values():
        if getattr(writer, "extension", None) == extension:
            return writer.content_type
    return "application/octet-stream"
