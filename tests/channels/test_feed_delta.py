"""Delta runs: only what changed since the last published run, deletions included."""

from __future__ import annotations

from factories import SYSTEM, value
from feedtest import BASE, MAPPING, csv_rows, make_feed, memory_media, ndjson_items, read_output

from channels.models import RunStatus
from channels.runs import run_feed
from pim.services import products


def test_a_delta_has_the_changed_items_and_the_deletions(catalog):
    session, media = catalog.session, memory_media()
    feed = make_feed(session, format="ndjson", mapping={**MAPPING, "gtin": {"attribute": "ean"}})

    def delta():
        run = run_feed(session, feed, media=media, base_url=BASE, delta=True)
        assert run.status == RunStatus.SUCCEEDED, run.message
        return run, ndjson_items(read_output(media, run.storage_key))

    full = run_feed(session, feed, media=media, base_url=BASE)
    assert full.included == 2
    run, items = delta()
    assert (items, run.message) == ([], "delta: 0 changed, 0 deleted")

    small = catalog.product("TS-CREW-RED-S")
    products.update_product(session, small, {"values": {"ean": value("4006381333900")}}, SYSTEM)
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    run, items = delta()
    assert run.message == "delta: 1 changed, 1 deleted"
    assert [(i["id"], i.get("gtin"), i.get("deleted")) for i in items] == [
        ("TS-CREW-RED-S", "4006381333900", None),
        ("TS-CREW-RED-M", None, True),
    ]
    assert run.storage_key == f"feeds/shop/{run.id}-delta.ndjson"
    assert len(ndjson_items(read_output(media, feed.current_key))) == 2  # the full one

    run, items = delta()  # what the last delta published is not sent again
    assert items == []


def test_a_csv_delta_marks_deletions_in_a_column(catalog):
    session, media = catalog.session, memory_media()
    feed = make_feed(session)
    run_feed(session, feed, media=media, base_url=BASE)
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    run = run_feed(session, feed, media=media, base_url=BASE, delta=True)
    rows = csv_rows(read_output(media, run.storage_key))
    assert [(r["id"], r["deleted"]) for r in rows] == [("TS-CREW-RED-M", "true")]


def test_a_held_run_does_not_hide_its_changes_from_the_next_delta(catalog):
    session, media = catalog.session, memory_media()
    feed = make_feed(session, format="ndjson")
    run_feed(session, feed, media=media, base_url=BASE)
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    assert run_feed(session, feed, media=media, base_url=BASE).status == RunStatus.HELD
    run = run_feed(session, feed, media=media, base_url=BASE, delta=True)
    items = ndjson_items(read_output(media, run.storage_key))
    assert items == [{"id": "TS-CREW-RED-M", "deleted": True}]


def test_google_feeds_have_no_delta(catalog):
    feed = make_feed(catalog.session, format="google_merchant")
    run = run_feed(catalog.session, feed, media=memory_media(), base_url=BASE, delta=True)
    assert run.status == RunStatus.FAILED
    assert run.message == "delta runs are written in csv, json, ndjson, not google_merchant"
