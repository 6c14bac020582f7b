"""Hostile text through every format, end to end: HTML, ``]]>``, control characters and
emoji in a description keep every output valid, and the Unicode survives."""

from __future__ import annotations

import gzip
import json

import pytest
from factories import SYSTEM, value
from feedtest import BASE, make_feed, memory_media, picture, read_output
from lxml import etree

from channels.feeds import known_formats
from channels.models import RunStatus
from channels.runs import run_feed
from pim.services import product_models

HOSTILE = (
    "<p>Soft <b>cotton</b> &amp; more]]><script>alert(1)</script></p>"
    "\x07\x1b Bell\x0b tab\tend \U0001f457 ünïcødé 中文 </script>"
)
MAPPING = {
    "title": {"attribute": "name"},
    "description": {"attribute": "description"},
    "link": {"expr": ["concat", "https://shop.example/p/", {"field": "identifier"}]},
    "availability": {"constant": "in_stock"},
    "condition": {"constant": "new"},
    "price": {"attribute": "price"},
    "brand": {"constant": "Maison"},
    "gtin": {"attribute": "ean"},
    "mpn": {"field": "identifier"},
    "color": {"expr": ["label", "color"]},
    "size": {"expr": ["label", "size"]},
}


@pytest.mark.parametrize("format_", sorted(known_formats()))
def test_hostile_descriptions_keep_every_format_valid(catalog, format_):
    session, media = catalog.session, memory_media()
    product_models.update_model(
        session,
        catalog.model("TS-CREW"),
        {"values": {"description": value(HOSTILE, "en_US", "ecommerce")}},
        SYSTEM,
    )
    picture(session, media, catalog.model("TS-CREW-RED"), 1, role="main")
    feed = make_feed(session, format=format_, code="hostile", mapping=MAPPING)
    run = run_feed(session, feed, media=media, base_url=BASE)
    assert run.status == RunStatus.SUCCEEDED, (run.message, run.errors, run.exclusions)
    assert (run.included, run.errors) == (2, [])
    data = read_output(media, feed.current_key)
    if feed.gzip:
        data = gzip.decompress(data)
    if format_ == "print_pdf":
        return  # checked by its validator; text extraction is tested with the format
    text = data.decode("utf-8-sig")
    assert "<script>" not in text.replace("\\u003c", "<")  # rich text is sanitised on save
    assert "\x07" not in text and "\x1b" not in text
    if format_ in ("google_merchant", "bmecat"):
        root = etree.fromstring(data)  # well-formed
        assert "\U0001f457" in "".join(root.itertext())
    elif format_ in ("json", "ndjson", "jsonld"):
        documents = (
            [json.loads(data)] if format_ == "json" else [json.loads(x) for x in data.splitlines()]
        )
        assert "\U0001f457" in json.dumps(documents, ensure_ascii=False)
    else:
        assert "\U0001f457" in text and "中文" in text
