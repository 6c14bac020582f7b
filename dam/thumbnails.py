"""Thumbnails on PIM pages: the ``vitrine_thumbnail_url`` hook.

The PIM never imports the DAM. Its product grid shows the first asset of each family's
image attribute (asset codes, which the DAM's links fill) through
``app.extensions["vitrine_thumbnail_url"]``: a callable ``(asset_code) -> url | None``
that also answers a whole page at once with ``many(codes)`` (one query for the page,
never one per row). URLs lead to the ``thumb`` rendition route, which serves a
placeholder and queues the rendition when it is not made yet: nothing renders while the
grid does.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select

from dam.models import Asset
from dam.web.common import rendition_url
from pim.extensions import db

HOOK = "vitrine_thumbnail_url"
PRESET = "thumb"


class ThumbnailUrls:
    """Asset codes → URLs of their ``thumb`` rendition (images in use only)."""

    def __call__(self, code: str) -> str | None:
        return self.many([code]).get(code)

    def many(self, codes: Iterable[str]) -> dict[str, str]:
        """URLs of the given codes' thumbnails; codes of unknown, trashed or non-image
        assets are left out."""
        wanted = sorted({c for c in codes if isinstance(c, str) and c})
        if not wanted:
            return {}
        assets = db.session.scalars(
            select(Asset).where(
                Asset.code.in_(wanted), Asset.deleted_at.is_(None), Asset.kind == "image"
            )
        )
        return {asset.code: rendition_url(asset, PRESET) for asset in assets}


def init_app(app: Flask) -> None:
    """Register the hook."""
    app.extensions[HOOK] = ThumbnailUrls()
