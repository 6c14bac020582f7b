"""The demo's feeds, one per format, built end to end on a small demo catalogue: each run
succeeds, validates, publishes items and says why the others were left out."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from lxml import etree
from sqlalchemy import select

from channels.demo import DEMO_FEEDS
from channels.models import Feed, RunStatus
from channels.runs import run_feed
from dam.context import current_media
from pim.demo import load_demo

CODES = [code for code, *_rest in DEMO_FEEDS]


@pytest.fixture
def demo(db_session):
    load_demo(db_session, products=60, seed=3)
    return db_session


def test_the_demo_defines_one_feed_per_format(demo):
    feeds = {feed.code: feed for feed in demo.scalars(select(Feed))}
    assert sorted(feeds) == sorted(
        [
            "google_merchant",
            "google_merchant_tsv",
            "meta",
            "shopify",
            "csv",
            "ndjson",
            "jsonld",
            "bmecat",
            "print_pdf",
        ]
    )
    assert all(feed.format == feed.code for feed in feeds.values())
    assert {feeds["bmecat"].channel.code, feeds["print_pdf"].channel.code} == {"print"}


def _output(feed: Feed) -> bytes:
    with current_media().storage.open(feed.current_key) as stream:
        data = stream.read()
    return gzip.decompress(data) if feed.gzip else data


def _count(code: str, data: bytes) -> int:
    """Items in an output, read the way its channel reads it."""
    if code == "google_merchant":
        return len(etree.fromstring(data).findall("channel/item"))
    if code == "bmecat":
        return len(etree.fromstring(data).findall(".//{*}PRODUCT"))
    if code in ("ndjson",):
        return len(data.splitlines())
    if code == "jsonld":
        documents = [json.loads(line) for line in data.splitlines()]
        return sum(len(d.get("hasVariant", [d])) for d in documents)
    if code == "print_pdf":
        return -1  # counted by the run; the file is checked by its validator
    delimiter = "\t" if code == "google_merchant_tsv" else ","
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    if code == "shopify":
        return sum(1 for row in rows if row["Variant SKU"])
    return len(rows)


def test_every_demo_feed_builds_validates_and_publishes(demo):
    # one catalogue for every format (loading the demo is the slow part)
    reasons = set()
    for code in CODES:
        feed = demo.scalar(select(Feed).where(Feed.code == code))
        run = run_feed(demo, feed, base_url="https://shop.example")
        assert run.status == RunStatus.SUCCEEDED, (code, run.message, run.errors)
        assert run.errors == [], code
        assert run.included > 0, (code, run.exclusions)
        assert run.included + run.excluded == 60, code
        data = _output(feed)
        if code == "print_pdf":
            assert data.startswith(b"%PDF-")
        else:
            assert _count(code, data) == run.included, code
        reasons.update(run.exclusions)
    # the demo has pictures whose rights have ended: some feed says so
    assert any(reason.startswith("main image") for reason in reasons), reasons
