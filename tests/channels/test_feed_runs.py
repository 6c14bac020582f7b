"""Feed runs: the output, the publish gate, failures, overlaps, destinations, pull URL."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import pytest
from factories import SYSTEM, build_structure, value
from feedtest import (
    BASE,
    csv_rows,
    make_feed,
    memory_media,
    ndjson_items,
    picture,
    read_output,
)

from channels.feeds import known_formats
from channels.models import FeedRun, RunStatus
from channels.runs import FeedBusy, run_feed
from channels.tasks import enqueue_run
from dam.storage import open_storage
from pim.models.types import utcnow
from pim.services import product_models, products, structure
from pim.services.structure_cache import Structure


def build(session, feed, media, **options):
    return run_feed(session, feed, media=media, base_url=BASE, **options)


def test_a_run_writes_the_items_and_counts_exclusions_by_reason(catalog):
    session, media = catalog.session, memory_media()
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    feed = make_feed(session)
    run = build(session, feed, media)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.included, run.excluded) == (1, 1)
    assert run.exclusions == {"disabled": {"count": 1, "sample": ["TS-CREW-RED-M"]}}
    rows = csv_rows(read_output(media, feed.current_key))
    assert [(r["id"], r["item_group_id"], r["price"]) for r in rows] == [
        ("TS-CREW-RED-S", "TS-CREW", "19.90 EUR")
    ]
    assert run.storage_key == f"feeds/shop/{run.id}.csv"
    assert feed.current_key == "feeds/shop/current.csv"


def test_csv_cells_cannot_run_formulas_and_text_is_cleaned(catalog):
    session, media = catalog.session, memory_media()
    description = "<p>Soft &amp; <b>warm</b> ]]> bell\x07 🧥</p>"
    product_models.update_model(
        session,
        catalog.model("TS-CREW"),
        {
            "values": {
                "name": value('=HYPERLINK("http://evil","x")', "en_US"),
                "description": value(description, "en_US", "ecommerce"),
            }
        },
        SYSTEM,
    )
    feed = make_feed(session)
    build(session, feed, media)
    row = csv_rows(read_output(media, feed.current_key))[0]
    assert row["title"] == '\'=HYPERLINK("http://evil","x")'
    assert row["description"] == "Soft & warm ]]> bell 🧥"

    ndjson = make_feed(session, "nd", format="ndjson")
    build(session, ndjson, media)
    item = ndjson_items(read_output(media, ndjson.current_key))[0]
    assert item["description"] == "Soft & warm ]]> bell 🧥"
    assert item["title"] == '=HYPERLINK("http://evil","x")'  # JSON is not a spreadsheet
    assert item["price"] == {"amount": "19.90", "currency": "EUR"}
    assert "_variant" not in item


@pytest.mark.parametrize("format_", sorted(known_formats()))
def test_an_empty_catalogue_gives_a_valid_empty_feed(db_session, format_):
    build_structure(db_session)
    media = memory_media()
    feed = make_feed(db_session, format=format_, code="empty")
    run = build(db_session, feed, media)
    assert (run.status, run.included, run.excluded) == (RunStatus.SUCCEEDED, 0, 0), run.message
    output = read_output(media, feed.current_key)
    if format_ == "csv":
        assert csv_rows(output) == []
        assert output.startswith(b"\xef\xbb\xbfid,")
    elif format_ == "json":
        assert json.loads(output)["items"] == []
    elif format_ in ("ndjson", "jsonld"):
        assert output == b""
    elif format_ == "print_pdf":
        assert output.startswith(b"%PDF-")
    else:
        assert output  # a header, or an XML document without items


def test_a_big_drop_is_held_and_the_previous_output_stays(catalog):
    session, media = catalog.session, memory_media()
    feed = make_feed(session)
    first = build(session, feed, media)
    before = read_output(media, feed.current_key)
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    held = build(session, feed, media)
    assert held.status == RunStatus.HELD
    assert "1 items instead of 2 (-50%, more than the 20% allowed)" in held.message
    assert read_output(media, feed.current_key) == before
    assert media.storage.exists(held.storage_key)  # kept to look at

    feed.max_drop = 0.6
    again = build(session, feed, media)
    assert again.status == RunStatus.SUCCEEDED
    assert len(csv_rows(read_output(media, feed.current_key))) == 1
    assert first.included == 2


def test_a_deleted_attribute_fails_the_run_and_keeps_the_output(catalog):
    session, media = catalog.session, memory_media()
    feed = make_feed(
        session, mapping={"title": {"attribute": "name"}, "w": {"attribute": "pieces"}}
    )
    build(session, feed, media)
    before = read_output(media, feed.current_key)
    attribute = next(a for a in structure_attributes(session) if a.code == "pieces")
    structure.delete_attribute(session, attribute, SYSTEM)
    failed = build(session, feed, media)
    assert failed.status == RunStatus.FAILED
    assert failed.message == "the mapping is invalid: field w: unknown attribute 'pieces'"
    assert read_output(media, feed.current_key) == before


def structure_attributes(session):
    from sqlalchemy import select

    from pim.models import Attribute

    return session.scalars(select(Attribute)).all()


def test_a_second_run_of_the_same_feed_is_refused_while_one_runs(catalog):
    session = catalog.session
    feed = make_feed(session)
    session.add(FeedRun(feed=feed, status=RunStatus.RUNNING))
    session.flush()
    with pytest.raises(FeedBusy, match="feed shop is already being built"):
        build(session, feed, memory_media())


def test_local_destination_gets_the_gzipped_file(catalog, tmp_path):
    session = catalog.session
    feed = make_feed(session, format="ndjson", gzip=True, destination_url=tmp_path.as_uri())
    run = build(session, feed, memory_media())
    assert run.status == RunStatus.SUCCEEDED, run.message
    delivered = tmp_path / "shop.ndjson.gz"
    assert len(ndjson_items(gzip.decompress(delivered.read_bytes()))) == 2
    assert run.message == f"delivered to {tmp_path.as_uri()}/shop.ndjson.gz"


def test_s3_destination_gets_the_file(catalog, s3_server):
    session = catalog.session
    url = s3_server.storage_url(s3_server.new_bucket(), "exports")
    feed = make_feed(session, destination_url=url)
    run = build(session, feed, memory_media())
    assert run.status == RunStatus.SUCCEEDED, run.message
    bucket = open_storage(url)
    try:
        with bucket.open("shop.csv") as stream:
            assert len(csv_rows(stream.read())) == 2
    finally:
        bucket.close()


def test_the_pull_url_serves_the_current_output_to_token_holders_only(catalog, client):
    session = catalog.session
    feed = make_feed(session, format="ndjson")
    assert client.get(f"/feeds/shop/{feed.secret_token}").status_code == 404  # no output yet
    run_feed(session, feed, base_url=BASE)  # the app's own storage
    session.commit()
    response = client.get(f"/feeds/shop/{feed.secret_token}")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert len(ndjson_items(response.data)) == 2
    assert client.get("/feeds/shop/not-the-token").status_code == 404
    assert client.get(f"/feeds/other/{feed.secret_token}").status_code == 404


def test_the_queue_task_runs_the_feed(catalog):
    feed = make_feed(catalog.session)
    catalog.session.commit()
    enqueue_run(feed, BASE)
    from sqlalchemy import select

    runs = catalog.session.scalars(select(FeedRun).where(FeedRun.feed_id == feed.id)).all()
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED]
    assert Structure.current(catalog.session)


def test_cli_export_prints_counts_and_exits_1_when_held(catalog, cli_runner, tmp_path):
    session = catalog.session
    make_feed(session)
    out = tmp_path / "shop.csv"
    result = cli_runner.invoke(args=["channels", "export", "shop", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "feed shop: run" in result.output and "succeeded" in result.output
    assert "included: 2" in result.output
    assert len(csv_rows(out.read_bytes())) == 2

    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    result = cli_runner.invoke(args=["channels", "export", "shop", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["status"] == "held"
    assert report["exclusions"]["disabled"]["count"] == 1

    listed = cli_runner.invoke(args=["channels", "list"])
    assert "shop" in listed.output and "last run held, 1 items" in listed.output
    unknown = cli_runner.invoke(args=["channels", "export", "nope"])
    assert unknown.exit_code == 1
    assert "Error: feed 'nope' does not exist" in unknown.output


def test_the_formats_checks_exclude_items_with_their_reason(catalog):
    session, media = catalog.session, memory_media()
    mapping = {
        "title": {"attribute": "name"},
        "description": {"constant": "A soft crew-neck tee."},
        "link": {"expr": ["concat", "https://shop.example/p/", {"field": "identifier"}]},
        "availability": {"constant": "in_stock"},
        "price": {"attribute": "price"},
        "condition": {"constant": "new"},
        "brand": {"attribute": "brand"},
        "gtin": {"attribute": "ean"},
    }
    feed = make_feed(session, format="google_merchant", mapping=mapping)
    run = build(session, feed, media)
    assert run.exclusions == {
        "image_link: is required": {"count": 2, "sample": ["TS-CREW-RED-S", "TS-CREW-RED-M"]}
    }
    picture(session, media, catalog.model("TS-CREW-RED"), 1, role="main")
    run = build(session, feed, media)
    assert (run.status, run.included, run.excluded) == (RunStatus.SUCCEEDED, 2, 0)
    xml = read_output(media, feed.current_key).decode()
    assert "<g:item_group_id>TS-CREW</g:item_group_id>" in xml


def test_a_run_left_running_by_a_dead_process_does_not_block_forever(catalog):
    session = catalog.session
    feed = make_feed(session)
    stale = FeedRun(feed=feed, status=RunStatus.RUNNING, started_at=utcnow() - timedelta(days=1))
    session.add(stale)
    session.flush()
    assert build(session, feed, memory_media()).status == RunStatus.SUCCEEDED
    assert stale.status == RunStatus.FAILED
    assert stale.message.startswith("abandoned")


def test_cli_saves_and_shows_a_feed(catalog, cli_runner, tmp_path):
    document = {
        "code": "market",
        "channel": "ecommerce",
        "format": "ndjson",
        "locale": "en_US",
        "currency": "EUR",
        "mapping": {"title": {"attribute": "nmae"}},
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(document))
    refused = cli_runner.invoke(args=["channels", "save", str(path)])
    assert refused.exit_code == 1
    assert "field title: unknown attribute 'nmae'" in refused.output

    path.write_text(json.dumps({**document, "mapping": {"title": {"attribute": "name"}}}))
    saved = cli_runner.invoke(args=["channels", "save", str(path)])
    assert saved.exit_code == 0, saved.output
    assert "Saved feed market; pull URL http://127.0.0.1:5000/feeds/market/" in saved.output
    shown = json.loads(cli_runner.invoke(args=["channels", "show", "market"]).output)
    assert shown["mapping"] == {"title": {"attribute": "name"}}
    assert shown["runs"] == []


def test_the_channels_plug_themselves_into_the_app(app):
    assert "channels" in app.extensions["vitrine_plugins"]
    assert "channels" in app.blueprints
    assert "channels" in app.cli.list_commands(None)
