"""Events land in the outbox in the same transaction as their change: products through
the services, bulk imports, import jobs, feed runs and assets; nothing for a rolled-back
change or a type nobody subscribed to."""

from __future__ import annotations

import io

import pytest
from factories import SYSTEM, value
from PIL import Image
from sqlalchemy import select

from pim import events
from pim.imports import jobs, profiles
from pim.models import OutboxEvent
from pim.services import bulk, products

URL = "http://127.0.0.1:9/hooks"  # never called in these tests
PRODUCT_EVENTS = ["product.created", "product.updated", "product.deleted"]


def outbox(session, event_type=None) -> list[dict]:
    query = select(OutboxEvent).order_by(OutboxEvent.id)
    if event_type:
        query = query.where(OutboxEvent.type == event_type)
    return [row.payload for row in session.scalars(query)]


def test_product_service_writes_record_events_with_identifier_version_and_href(
    catalog, db_session, subscribe
):
    subscribe(URL, PRODUCT_EVENTS)
    product = products.create_product(
        db_session, {"identifier": "HOOK 1", "family": "tshirts"}, SYSTEM
    )
    unchanged = products.update_product(db_session, product, {"family": "tshirts"}, SYSTEM)
    products.update_product(db_session, product, {"values": {"color": value("blue")}}, SYSTEM)
    products.delete_product(db_session, product, SYSTEM)

    assert unchanged is None  # no version, no event
    payloads = outbox(db_session)
    assert [p["type"] for p in payloads] == PRODUCT_EVENTS
    assert [p["data"]["version"] for p in payloads] == [1, 2, 2]
    assert payloads[0]["data"] == {
        "identifier": "HOOK 1",
        "version": 1,
        "href": "/api/v1/products/HOOK%201",
    }
    assert len({p["id"] for p in payloads}) == 3
    assert all(p["occurred_at"].endswith("+00:00") for p in payloads)


def test_a_rolled_back_change_leaves_no_event(catalog, db_session, subscribe):
    subscribe(URL, ["product.created"])
    savepoint = db_session.begin_nested()
    products.create_product(db_session, {"identifier": "GHOST", "family": "tshirts"}, SYSTEM)
    assert len(outbox(db_session)) == 1
    savepoint.rollback()

    assert outbox(db_session) == []
    assert products.get_product  # the product is gone too
    with pytest.raises(Exception, match="does not exist"):
        products.get_product(db_session, "GHOST")


def test_without_a_subscription_of_the_type_nothing_is_written(catalog, db_session, subscribe):
    products.create_product(db_session, {"identifier": "QUIET-1", "family": "tshirts"}, SYSTEM)
    subscribe(URL, ["product.deleted"])  # seen at once, in the same transaction
    products.create_product(db_session, {"identifier": "QUIET-2", "family": "tshirts"}, SYSTEM)
    inactive = subscribe(URL, ["product.created"], active=False)

    products.create_product(db_session, {"identifier": "QUIET-3", "family": "tshirts"}, SYSTEM)
    assert outbox(db_session) == []

    inactive.active = True
    events.forget_subscribed(db_session)
    products.create_product(db_session, {"identifier": "LOUD", "family": "tshirts"}, SYSTEM)
    assert [p["data"]["identifier"] for p in outbox(db_session)] == ["LOUD"]


def test_a_subscription_committed_elsewhere_is_seen_by_the_next_transaction(
    catalog, db_session, subscribe
):
    assert "product.created" not in events.subscribed_types(db_session)
    subscribe(URL, ["product.created"])
    db_session.commit()
    assert "product.created" in events.subscribed_types(db_session)


def test_unknown_event_types_are_a_programming_error(db_session):
    with pytest.raises(ValueError, match="unknown event type"):
        events.emit(db_session, "product.renamed", {})


def test_a_bulk_import_records_one_event_per_written_product(catalog, db_session, subscribe):
    subscribe(URL, ["product.created", "product.updated"])
    payloads = [
        {"identifier": "BULK-1", "family": "tshirts"},
        {"identifier": "BULK-2", "family": "tshirts"},
        {"identifier": "TS-CREW-RED-S", "enabled": False},
        {"identifier": "TS-CREW-RED-M"},  # unchanged
        {"identifier": "BULK-BAD", "family": "no-such-family"},
    ]
    result = bulk.import_products(db_session, payloads, SYSTEM)

    assert (result.created, result.updated, result.unchanged, len(result.failed)) == (2, 1, 1, 1)
    created = outbox(db_session, "product.created")
    assert sorted(p["data"]["identifier"] for p in created) == ["BULK-1", "BULK-2"]
    assert {p["data"]["version"] for p in created} == {1}
    updated = outbox(db_session, "product.updated")
    assert [p["data"]["identifier"] for p in updated] == ["TS-CREW-RED-S"]


def test_an_import_job_records_import_finished(catalog, db_session, subscribe, tmp_path):
    subscribe(URL, ["import.finished", "product.created"])
    profile = profiles.save_profile(
        db_session,
        {
            "code": "erp",
            "source": "erp",
            "reader": {"format": "csv"},
            "mapping": {"key": {"column": "sku"}, "fields": {"family": {"value": "tshirts"}}},
        },
    )
    path = tmp_path / "erp.csv"
    path.write_text("sku\nJOB-1\nJOB-2\n", encoding="utf-8")
    job = jobs.create_job(db_session, profile, path, path.name)
    db_session.commit()
    jobs.run_job(db_session, job.id)

    [finished] = outbox(db_session, "import.finished")
    assert finished["data"]["id"] == job.id
    assert finished["data"]["profile"] == "erp"
    assert finished["data"]["status"] == "succeeded"
    assert finished["data"]["rows"]["created"] == 2
    assert len(outbox(db_session, "product.created")) == 2


def test_a_feed_run_records_feed_run_finished(catalog, db_session, subscribe):
    from channels.feeds import save_feed
    from channels.runs import run_feed
    from dam.context import Media

    subscribe(URL, ["feed.run.finished"])
    feed = save_feed(
        db_session,
        {
            "code": "hooks",
            "channel": "ecommerce",
            "format": "csv",
            "locale": "en_US",
            "currency": "EUR",
            "mapping": {"title": {"attribute": "name"}},
        },
    )
    media = Media(storage_url="memory://webhooks-feed", settings_path="", max_pixels=10**8)
    run = run_feed(db_session, feed, media=media, base_url="https://vitrine.example.com")

    [finished] = outbox(db_session, "feed.run.finished")
    assert finished["data"]["id"] == run.id
    assert finished["data"]["feed"] == "hooks"
    assert finished["data"]["status"] == run.status
    assert finished["data"]["included"] == run.included


def test_asset_changes_record_asset_updated(catalog, db_session, subscribe):
    from dam.context import Media
    from dam.services import assets, editing, links

    subscribe(URL, ["asset.updated"])
    media = Media(storage_url="memory://webhooks-assets", settings_path="", max_pixels=10**8)
    asset = assets.upload(db_session, media, io.BytesIO(_jpeg((1, 2, 3))), "a.jpg").asset
    assert outbox(db_session) == []  # an upload creates, it does not update

    editing.update_asset(db_session, asset, {"creator": "Ada"}, SYSTEM)
    editing.update_asset(db_session, asset, {"creator": "Ada"}, SYSTEM)  # no change
    assets.replace_file(db_session, media, asset, io.BytesIO(_jpeg((9, 9, 9))), "b.jpg")
    product = products.get_product(db_session, "TS-CREW-RED-S")
    links.link(db_session, asset, product, actor=SYSTEM)
    links.link(db_session, asset, product, actor=SYSTEM)  # the same link: no change

    payloads = outbox(db_session, "asset.updated")
    assert len(payloads) == 3
    assert {p["data"]["code"] for p in payloads} == {asset.code}
    assert [p["data"]["file_version"] for p in payloads] == [1, 2, 2]


def _jpeg(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(out, "JPEG")
    return out.getvalue()
