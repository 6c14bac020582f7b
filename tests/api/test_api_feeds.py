"""Feeds through the API (the channels plugin): definitions with the feed form's checks and
messages, ETags, "run now" (202, 409 while running), run history and details, downloads,
previews, feed runs as jobs, and bad input and roles."""

from __future__ import annotations

import csv
import io

import pytest
from factories import SYSTEM
from sqlalchemy import func, select

from channels.feeds import save_feed
from channels.models import Feed, FeedRun, RunStatus
from channels.runs import progress_key
from dam.context import current_media
from pim.queue import current_queue
from pim.services import products

FEEDS = "/api/v1/feeds"
MAPPING = {"id": {"field": "identifier"}, "title": {"attribute": "name"}}
DEFINITION = {
    "code": "shop",
    "label": "Web shop",
    "channel": "ecommerce",
    "format": "csv",
    "locale": "en_US",
    "currency": "EUR",
    "territory": "FR",
    "mapping": MAPPING,
    "filters": {"enabled_only": True},
}


def make_feed(session, code="shop", **settings):
    return save_feed(session, {**DEFINITION, "code": code, **settings})


def fields_of(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


def rows_of(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def run_count(session) -> int:
    return session.scalar(select(func.count()).select_from(FeedRun))


@pytest.fixture
def admin(catalog, api_as):
    return api_as("admin")


def test_a_feed_is_created_read_changed_and_deleted(admin, db_session):
    created = admin.post(FEEDS, DEFINITION)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith("/api/v1/feeds/shop")
    body = created.get_json()
    assert body["channel"] == "ecommerce" and body["mapping"] == MAPPING
    assert body["last_run"] is None and body["max_drop"] == 0.2
    feed = db_session.scalar(select(Feed).where(Feed.code == "shop"))
    assert body["pull_url"] == f"http://localhost/feeds/shop/{feed.secret_token}"
    tag = created.headers["ETag"]

    fetched = admin.get(f"{FEEDS}/shop")
    assert fetched.headers["ETag"] == tag and fetched.get_json() == body
    assert admin.get(f"{FEEDS}/shop", headers={"If-None-Match": tag}).status_code == 304
    assert admin.post(FEEDS, DEFINITION).status_code == 409

    changed = admin.patch(
        f"{FEEDS}/shop", {"label": "Shop", "gzip": True}, headers={"If-Match": tag}
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["label"] == "Shop" and changed.get_json()["gzip"] is True
    assert changed.get_json()["mapping"] == MAPPING  # not given: kept
    assert changed.headers["ETag"] != tag
    stale = admin.patch(f"{FEEDS}/shop", {"label": "Again"}, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert admin.delete(f"{FEEDS}/shop", headers={"If-Match": tag}).status_code == 412
    deleted = admin.delete(f"{FEEDS}/shop", headers={"If-Match": changed.headers["ETag"]})
    assert deleted.status_code == 204
    assert admin.get(f"{FEEDS}/shop").status_code == 404
    assert admin.delete(f"{FEEDS}/shop").status_code == 404


def test_feeds_are_listed_by_channel_with_a_cursor(admin, db_session):
    make_feed(db_session, "shop")
    make_feed(db_session, "print_cat", channel="print", locale="fr_FR")
    make_feed(db_session, "shop2")
    page = admin.get(f"{FEEDS}?limit=2").get_json()
    assert [f["code"] for f in page["items"]] == ["shop", "print_cat"]
    assert [f["code"] for f in admin.get(page["next"]).get_json()["items"]] == ["shop2"]
    printed = admin.get(f"{FEEDS}?channel=print").get_json()["items"]
    assert [f["code"] for f in printed] == ["print_cat"]
    assert "unknown channel" in fields_of(admin.get(f"{FEEDS}?channel=tv"))["channel"]
    assert admin.get(f"{FEEDS}?limit=500").status_code == 422
    assert admin.get(f"{FEEDS}?order=code").status_code == 422


def test_save_checks_name_the_setting_as_in_the_form(admin, db_session):
    bad = {
        **DEFINITION,
        "locale": "it_IT",
        "currency": "JPY",
        "format": "fax",
        "cron": "every day",
        "filters": {"colour": "red"},
        "destination_url": "ftp://example.com",
        "max_drop": 3,
    }
    problems = fields_of(admin.post(FEEDS, bad))
    assert "not a locale of channel ecommerce" in problems["locale"]
    assert "not a currency of channel ecommerce" in problems["currency"]
    assert "unknown format 'fax'" in problems["format"]
    assert problems["cron"] and "unknown filter 'colour'" in problems["filters"]
    assert "file:///dir or s3://" in problems["destination_url"]
    assert "between 0 and 1" in problems["max_drop"]
    assert (
        "unknown channel 'tv'"
        in fields_of(admin.post(FEEDS, {**DEFINITION, "channel": "tv"}))["channel"]
    )
    mapping = fields_of(admin.post(FEEDS, {**DEFINITION, "mapping": {"t": {"attribute": "nope"}}}))
    assert "mapping" in mapping
    assert "reserved" in fields_of(admin.post(FEEDS, {**DEFINITION, "code": "new"}))["code"]
    assert "code" in fields_of(admin.post(FEEDS, {**DEFINITION, "code": "a b"}))
    assert "code" in fields_of(
        admin.post(FEEDS, {key: v for key, v in DEFINITION.items() if key != "code"})
    )
    assert "gzip" in fields_of(admin.post(FEEDS, {**DEFINITION, "gzip": "yes"}))
    assert "label" in fields_of(admin.post(FEEDS, {**DEFINITION, "label": "x" * 256}))
    assert "label" in fields_of(admin.post(FEEDS, {**DEFINITION, "label": "a\x00b"}))
    assert "colour" in fields_of(admin.post(FEEDS, {**DEFINITION, "colour": "red"}))
    assert admin.post(FEEDS, data=b"code=shop").status_code == 415
    make_feed(db_session)
    assert "code" in fields_of(admin.patch(f"{FEEDS}/shop", {"code": "other"}))
    assert "locale" in fields_of(admin.patch(f"{FEEDS}/shop", {"locale": "it_IT"}))
    assert db_session.scalar(select(func.count()).select_from(Feed)) == 1


def test_run_now_answers_202_with_the_run_its_history_and_its_download(admin, catalog):
    session = catalog.session
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    make_feed(session)
    response = admin.post(f"{FEEDS}/shop/runs")
    assert response.status_code == 202, response.get_json()
    run = session.scalar(select(FeedRun))
    assert response.headers["Location"].endswith(f"/api/v1/feeds/shop/runs/{run.id}")
    body = response.get_json()
    assert body["status"] == "succeeded", body
    assert (body["included"], body["excluded"]) == (1, 1)
    (exclusion,) = body["exclusions"].values()
    assert exclusion == {"count": 1, "sample": ["TS-CREW-RED-M"]}
    assert body["errors"] == [] and body["size"] > 0 and body["duration_seconds"] >= 0
    assert body["job"].endswith(f"/api/v1/jobs/feed-run-{run.id}")

    download = admin.get(body["download"])
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert f"shop-run{run.id}.csv" in download.headers["Content-Disposition"]
    assert [row["id"] for row in rows_of(download.data)] == ["TS-CREW-RED-S"]

    again = admin.post(f"{FEEDS}/shop/runs", {})
    assert again.status_code == 202
    history = admin.get(f"{FEEDS}/shop/runs").get_json()
    assert [r["id"] for r in history["items"]] == [run.id + 1, run.id]  # newest first
    first = admin.get(f"{FEEDS}/shop/runs?limit=1").get_json()
    assert admin.get(first["next"]).get_json()["items"][0]["id"] == run.id
    assert admin.get(f"{FEEDS}/shop").get_json()["last_run"]["id"] == run.id + 1
    assert admin.get(f"{FEEDS}/shop/runs/{run.id}").get_json()["included"] == 1

    job = admin.get(body["job"]).get_json()
    assert job["kind"] == "feed-run" and job["status"] == "succeeded"
    assert job["counts"] == {"included": 1, "excluded": 1}
    assert job["report"]["items"][0]["severity"] == "excluded"
    assert job["report"]["items"][0]["sample"] == ["TS-CREW-RED-M"]
    kinds = {j["kind"] for j in admin.get("/api/v1/jobs?kind=feed-run").get_json()["items"]}
    assert kinds == {"feed-run"}

    storage, key = current_media().storage, run.storage_key
    assert storage.exists(key)
    assert admin.delete(f"{FEEDS}/shop").status_code == 204
    assert run_count(session) == 0 and not storage.exists(key)
    assert admin.get(body["job"]).status_code == 404


def test_a_run_while_another_runs_is_409_and_live_counts_show(admin, db_session):
    feed = make_feed(db_session)
    run = FeedRun(feed=feed, status=RunStatus.RUNNING)
    db_session.add(run)
    db_session.flush()
    current_queue().put(progress_key(run.id), {"included": 500, "excluded": 7})
    try:
        refused = admin.post(f"{FEEDS}/shop/runs")
        live = admin.get(f"{FEEDS}/shop/runs/{run.id}").get_json()
        deleting = admin.delete(f"{FEEDS}/shop")
    finally:
        current_queue().delete(progress_key(run.id))
    assert refused.status_code == 409
    assert "already being built" in refused.get_json()["detail"]
    assert (live["status"], live["included"], live["excluded"]) == ("running", 500, 7)
    assert live["download"] is None and live["finished_at"] is None
    assert admin.get(f"{FEEDS}/shop/runs/{run.id}/download").status_code == 404
    assert deleting.status_code == 409
    assert run_count(db_session) == 1
    run.status = RunStatus.FAILED
    db_session.flush()
    assert_runs_of_other_feeds_and_unknown_runs_are_404(admin, db_session)


def assert_runs_of_other_feeds_and_unknown_runs_are_404(admin, db_session):
    make_feed(db_session, "other")
    run_id = admin.post(f"{FEEDS}/other/runs").get_json()["id"]
    assert admin.get(f"{FEEDS}/other/runs/{run_id}/download").status_code == 200
    assert admin.get(f"{FEEDS}/shop/runs/{run_id}").status_code == 404
    assert admin.get(f"{FEEDS}/shop/runs/{run_id}/download").status_code == 404
    assert admin.get(f"{FEEDS}/shop/runs/{run_id + 1}").status_code == 404
    assert admin.get(f"{FEEDS}/shop/runs/abc").status_code == 404
    assert admin.get(f"{FEEDS}/nope/runs").status_code == 404
    assert admin.post(f"{FEEDS}/nope/runs").status_code == 404
    assert admin.get(f"{FEEDS}/{'x' * 300}").status_code == 404


def test_preview_of_the_saved_or_a_changed_definition_saves_nothing(admin, db_session):
    make_feed(db_session)
    saved = admin.post(f"{FEEDS}/shop/preview")
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["format"] == "csv" and {"id", "title"} <= set(body["columns"])
    assert body["funnel"]["scanned"] == 2 and body["funnel"]["included"] == 2
    assert "TS-CREW-RED-S" in body["output"]
    changed = admin.post(f"{FEEDS}/shop/preview?limit=1", {"format": "ndjson"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["format"] == "ndjson" and len(changed.get_json()["items"]) == 1
    refused = admin.post(f"{FEEDS}/shop/preview", {"currency": "JPY"})
    assert "not a currency" in fields_of(refused)["currency"]
    assert admin.post(f"{FEEDS}/shop/preview?limit=201").status_code == 422
    draft = {key: v for key, v in DEFINITION.items() if key != "code"}
    unsaved = admin.post(f"{FEEDS}/preview?limit=1", {**draft, "format": "ndjson"})
    assert unsaved.status_code == 200, unsaved.get_json()
    assert unsaved.get_json()["funnel"]["included"] == 2 and len(unsaved.get_json()["items"]) == 1
    assert "locale" in fields_of(admin.post(f"{FEEDS}/preview", {**draft, "locale": "xx"}))
    assert "colour" in fields_of(admin.post(f"{FEEDS}/preview", {**draft, "colour": 1}))
    assert db_session.scalar(select(func.count()).select_from(Feed)) == 1
    feed = db_session.scalar(select(Feed).where(Feed.code == "shop"))
    assert (feed.format, feed.currency) == ("csv", "EUR")
    assert run_count(db_session) == 0


def test_readers_read_but_only_admins_change_run_or_preview(api_as, catalog, client):
    make_feed(catalog.session)
    for role in ("editor", "viewer", "translator"):
        assert_reader_only(api_as(role))
    assert_suppliers_and_strangers_are_refused(api_as, client)
    assert run_count(catalog.session) == 0


def assert_reader_only(reader):
    listing = reader.get(FEEDS)
    assert listing.status_code == 200
    assert "pull_url" not in listing.get_json()["items"][0]  # the token is a credential
    assert "pull_url" not in reader.get(f"{FEEDS}/shop").get_json()
    assert reader.get(f"{FEEDS}/shop/runs").status_code == 200
    assert reader.post(FEEDS, {**DEFINITION, "code": "mine"}).status_code == 403
    assert reader.patch(f"{FEEDS}/shop", {"label": "x"}).status_code == 403
    assert reader.delete(f"{FEEDS}/shop").status_code == 403
    assert reader.post(f"{FEEDS}/shop/runs").status_code == 403
    assert reader.post(f"{FEEDS}/shop/preview").status_code == 403
    assert reader.post(f"{FEEDS}/preview", DEFINITION).status_code == 403


def assert_suppliers_and_strangers_are_refused(api_as, client):
    supplier = api_as("supplier")
    assert supplier.get(FEEDS).status_code == 403
    assert supplier.get(f"{FEEDS}/shop/runs").status_code == 403
    for method, url in (("GET", FEEDS), ("GET", f"{FEEDS}/shop"), ("POST", f"{FEEDS}/shop/runs")):
        response = client.open(url, method=method)
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
