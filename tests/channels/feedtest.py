"""Helpers of the channel tests: feeds on the small test catalogue, pictures, outputs."""

from __future__ import annotations

import csv
import io
import json

from PIL import Image

from channels.feeds import save_feed
from dam.context import Media
from dam.models import AssetStatus
from dam.services import assets, links
from pim.services.actors import Actor

BASE = "https://vitrine.example.com"
MAPPING = {
    "title": {"attribute": "name"},
    "description": {"expr": ["strip_html", {"attribute": "description"}]},
    "price": {"attribute": "price"},
    "brand": {"attribute": "brand"},
}


def memory_media(name: str = "feeds") -> Media:
    """A media context on a fresh in-memory storage."""
    import secrets

    return Media(
        storage_url=f"memory://{name}{secrets.token_hex(4)}", settings_path="", max_pixels=10**8
    )


def make_feed(session, code: str = "shop", **settings):
    """A CSV feed of the ``ecommerce`` channel in en_US and EUR (``settings`` override)."""
    payload = {
        "code": code,
        "channel": "ecommerce",
        "format": "csv",
        "locale": "en_US",
        "currency": "EUR",
        "territory": "FR",
        "mapping": MAPPING,
        **settings,
    }
    return save_feed(session, payload)


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (seed * 40 % 255, 90, 10)).save(out, "JPEG")
    return out.getvalue()


def picture(session, media, owner, seed: int, *, role="gallery", **rights):
    """Upload a cleared picture (owned, approved) and link it to ``owner``."""
    asset = assets.upload(session, media, io.BytesIO(jpeg(seed)), f"pic{seed}.jpg").asset
    asset.licence_type = "owned"
    asset.status = AssetStatus.APPROVED
    for name, value in rights.items():
        setattr(asset, name, value)
    links.link(session, asset, owner, role=role, actor=Actor.system())
    return asset


def read_output(media, key: str) -> bytes:
    with media.storage.open(key) as stream:
        return stream.read()


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def ndjson_items(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]
