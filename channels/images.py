"""Pictures for formats that embed them (the PDF catalogue): read from the media storage.

Feed items carry public image links (:func:`channels.pipeline.image_url`); a writer that
needs the bytes asks :func:`image_fetcher`'s function, which recognises only those links,
makes the rendition if needed and reads it from the storage. Nothing is ever fetched over
the network: any other URL gives None.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from dam.models import Asset
from dam.services.public import is_valid
from dam.services.renditions import UnknownPreset, make_rendition, preset_named
from dam.storage import StorageError

log = logging.getLogger(__name__)

LINK = re.compile(r"/media/(\d+)/([a-z][a-z0-9_-]{0,39})/([A-Za-z0-9_-]+)\.[a-z0-9]+$")
#: largest picture read into memory for a document (a print rendition is far smaller)
MAX_BYTES = 32 * 1024 * 1024


def image_fetcher(session, media, base_url: str) -> Callable[[str], tuple[bytes, str] | None]:
    """A function: image link of an item → (bytes, content type), or None."""
    prefix = base_url.rstrip("/") + "/media/"

    def fetch(url: str) -> tuple[bytes, str] | None:
        if not url.startswith(prefix):
            return None
        match = LINK.search(url)
        if match is None:
            return None
        asset_id, preset, token = int(match[1]), match[2], match[3]
        if not is_valid(asset_id, preset, token):
            return None
        asset = session.get(Asset, asset_id)
        if asset is None or asset.deleted_at is not None:
            return None
        try:
            row = make_rendition(session, media, asset, preset_named(media, preset))
            if row.status != "ready" or not row.storage_key:
                return None
            if (row.size or 0) > MAX_BYTES:
                return None
            with media.storage.open(row.storage_key) as stream:
                return stream.read(), row.content_type
        except (StorageError, UnknownPreset) as error:
            log.warning("image %s could not be read for a feed: %s", url, error)
            return None

    return fetch
