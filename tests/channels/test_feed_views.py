"""The feed pages: list, edit form, live preview, "Run now", run history, downloads."""

from __future__ import annotations

import pytest
from factories import SYSTEM
from feedtest import MAPPING, csv_rows, make_feed
from sqlalchemy import func, select

from channels.models import Feed, FeedRun, RunStatus
from channels.panel import recent_runs_panel
from channels.runs import progress_key
from pim.queue import current_queue
from pim.services import products

FORM = {
    "code": "web_shop",
    "label": "Web shop",
    "channel": "ecommerce",
    "format": "csv",
    "locale": "en_US",
    "currency": "EUR",
    "territory": "fr",
    "mapping": '{"title": {"attribute": "name"}, "price": {"attribute": "price"}}',
    "filter_enabled_only": "1",
    "filter_statuses": ["draft", "approved"],
    "filter_min_completeness": "",
    "filter_missing_translation": "exclude",
    "filter_categories": "women, men",
    "max_drop": "35",
    "cron": "0 6 * * *",
    "timezone": "Europe/Paris",
}


def feed_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Feed))


@pytest.fixture
def admin(catalog, logged_in_client):
    return logged_in_client("admin")


def test_the_channels_nav_entry_leads_to_the_feed_list(catalog, admin):
    make_feed(catalog.session, "shop", label="Shop feed", cron="0 5 * * *")
    response = admin.get("/channels")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/channels/")
    page = admin.get("/channels/").get_data(as_text=True)
    assert "Channel <code>ecommerce</code>" in page
    assert "Shop feed" in page and "0 5 * * *" in page and "never run" in page
    feed = catalog.session.scalar(select(Feed).where(Feed.code == "shop"))
    # the pull URL, for those who manage: at the address the request came to by default
    assert f'value="http://localhost/feeds/shop/{feed.secret_token}"' in page
    assert "Run now" in page and "New feed" in page


def test_pull_urls_use_the_configured_base_url(catalog, admin, app, monkeypatch):
    feed = make_feed(catalog.session, "shop")
    monkeypatch.setitem(app.config, "FEEDS_BASE_URL", "https://vitrine.example.com/")
    page = admin.get("/channels/").get_data(as_text=True)
    assert f'value="https://vitrine.example.com/feeds/shop/{feed.secret_token}"' in page


def test_a_feed_is_created_from_the_form(catalog, admin):
    form_page = admin.get("/channels/feeds/new").get_data(as_text=True)
    assert 'name="mapping"' in form_page and "data-starting-mappings" in form_page
    # the demo's mapping to start from, without what this catalogue lacks (sale_price)
    assert "&#34;title&#34;: {\n    &#34;attribute&#34;: &#34;name&#34;" in form_page
    assert "sale_price" not in form_page
    response = admin.post("/channels/feeds/new", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/channels/feeds/web_shop")
    feed = catalog.session.scalar(select(Feed).where(Feed.code == "web_shop"))
    assert (feed.label, feed.channel.code, feed.territory) == ("Web shop", "ecommerce", "FR")
    assert feed.mapping == {"title": {"attribute": "name"}, "price": {"attribute": "price"}}
    assert feed.filters == {
        "enabled_only": True,
        "statuses": ["draft", "approved"],
        "categories": ["women", "men"],
    }
    assert (feed.max_drop, feed.cron, feed.timezone, feed.gzip) == (
        0.35,
        "0 6 * * *",
        "Europe/Paris",
        False,
    )
    page = admin.get("/channels/feeds/web_shop").get_data(as_text=True)
    assert 'value="35"' in page and 'value="0 6 * * *"' in page


def test_problems_are_shown_next_to_their_fields_and_nothing_is_saved(catalog, admin):
    before = feed_count(catalog.session)
    bad = {**FORM, "mapping": '{"title": {"attribute": "nope"}}', "currency": "JPY"}
    response = admin.post("/channels/feeds/new", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The form was not saved" in page
    assert 'id="error-mapping"' in page and "unknown attribute" in page
    assert 'id="error-currency"' in page
    assert "{&#34;title&#34;: {&#34;attribute&#34;: &#34;nope&#34;}}" in page  # kept as typed
    assert feed_count(catalog.session) == before

    broken = admin.post("/channels/feeds/new", data={**FORM, "mapping": "{oops"})
    assert broken.status_code == 422
    assert "not valid JSON" in broken.get_data(as_text=True)
    long_label = admin.post("/channels/feeds/new", data={**FORM, "label": "x" * 256})
    assert 'id="error-label"' in long_label.get_data(as_text=True)
    taken = admin.post("/channels/feeds/new", data={**FORM, "code": "preview"})
    assert "reserved" in taken.get_data(as_text=True)
    assert feed_count(catalog.session) == before


def test_a_feed_is_edited_and_a_new_form_cannot_overwrite_it(catalog, admin):
    make_feed(catalog.session, "shop")
    response = admin.post("/channels/feeds/shop", data={**FORM, "code": "", "format": "ndjson"})
    assert response.status_code == 302
    feed = catalog.session.scalar(select(Feed).where(Feed.code == "shop"))
    catalog.session.refresh(feed)
    assert (feed.format, feed.label) == ("ndjson", "Web shop")
    refused = admin.post("/channels/feeds/new", data={**FORM, "code": "shop"})
    assert refused.status_code == 422
    assert "a feed with the code &#39;shop&#39; exists" in refused.get_data(as_text=True)
    assert admin.get("/channels/feeds/nope").status_code == 404


def test_the_preview_endpoint_answers_items_and_funnel_without_saving(catalog, admin):
    session = catalog.session
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    before = feed_count(session)
    data = admin.post("/channels/feeds/preview", data=FORM).get_json()
    assert data["ok"] is True, data
    assert [item["id"] for item in data["items"]] == ["TS-CREW-RED-S"]
    assert data["items"][0]["price"] == "19.90 EUR"
    assert csv_rows(data["output"].encode())[0]["title"] == "Crew-neck T-shirt"
    assert data["funnel"]["reasons"] == {"disabled": {"count": 1, "sample": ["TS-CREW-RED-M"]}}
    assert (data["funnel"]["included"], data["funnel"]["complete"]) == (1, True)

    refused = admin.post("/channels/feeds/preview", data={**FORM, "mapping": "[1]"}).get_json()
    assert refused["ok"] is False and refused["problems"][0]["field"] == "mapping"
    as_json = admin.post(
        "/channels/feeds/preview",
        json={
            "channel": "ecommerce",
            "format": "ndjson",
            "locale": "en_US",
            "currency": "USD",
            "mapping": MAPPING,
        },
    ).get_json()
    assert '"currency": "USD"' in as_json["output"]
    assert feed_count(session) == before


def test_run_now_records_a_run_listed_with_its_counts_and_its_download(catalog, admin):
    session = catalog.session
    products.update_product(session, catalog.product("TS-CREW-RED-M"), {"enabled": False}, SYSTEM)
    feed = make_feed(session, "shop")
    response = admin.post("/channels/feeds/shop/run")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/channels/feeds/shop/runs")
    run = session.scalar(select(FeedRun).where(FeedRun.feed_id == feed.id))
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (run.included, run.excluded) == (1, 1)

    page = admin.get("/channels/feeds/shop/runs").get_data(as_text=True)
    assert f'data-run="{run.id}"' in page and "succeeded" in page
    assert '<td data-count="included">1</td>' in page
    assert "disabled" in page and "TS-CREW-RED-M" in page
    download_url = f"/channels/feeds/shop/runs/{run.id}/download"
    assert download_url in page

    download = admin.get(download_url)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert f"shop-run{run.id}.csv" in download.headers["Content-Disposition"]
    assert [row["id"] for row in csv_rows(download.data)] == ["TS-CREW-RED-S"]

    status = admin.get(f"/channels/runs/{run.id}/status").get_json()
    assert status == {
        "id": run.id,
        "status": "succeeded",
        "finished": True,
        "included": 1,
        "excluded": 1,
        "message": "",
    }
    listing = admin.get("/channels/").get_data(as_text=True)
    assert "1 included, 1 excluded" in listing


def test_a_running_run_reports_the_live_counts_of_the_queue(catalog, admin):
    feed = make_feed(catalog.session, "shop")
    run = FeedRun(feed=feed, status=RunStatus.RUNNING)
    catalog.session.add(run)
    catalog.session.flush()
    current_queue().put(progress_key(run.id), {"included": 500, "excluded": 7})
    try:
        status = admin.get(f"/channels/runs/{run.id}/status").get_json()
        page = admin.get("/channels/feeds/shop/runs").get_data(as_text=True)
        refused = admin.post("/channels/feeds/shop/run", follow_redirects=True)
    finally:
        current_queue().delete(progress_key(run.id))
    assert (status["status"], status["finished"], status["included"]) == ("running", False, 500)
    assert f'data-run-status="/channels/runs/{run.id}/status"' in page
    assert '<td data-count="included">500</td>' in page
    assert "already being built" in refused.get_data(as_text=True)
    assert catalog.session.scalar(select(func.count()).select_from(FeedRun)) == 1


def test_a_run_of_another_feed_cannot_be_downloaded(catalog, admin):
    session = catalog.session
    make_feed(session, "shop")
    make_feed(session, "other")
    admin.post("/channels/feeds/other/run")
    run = session.scalar(select(FeedRun))
    assert run.storage_key
    assert admin.get(f"/channels/feeds/other/runs/{run.id}/download").status_code == 200
    assert admin.get(f"/channels/feeds/shop/runs/{run.id}/download").status_code == 404
    assert admin.get(f"/channels/runs/{run.id + 1}/status").status_code == 404


def test_viewers_read_but_cannot_change_or_run(catalog, logged_in_client):
    feed = make_feed(catalog.session, "shop")
    viewer = logged_in_client("viewer")
    page = viewer.get("/channels/").get_data(as_text=True)
    assert "shop" in page
    assert feed.secret_token not in page and "Run now" not in page
    assert viewer.get("/channels/feeds/shop/runs").status_code == 200
    assert viewer.get("/channels/feeds/new").status_code == 403
    assert viewer.get("/channels/feeds/shop").status_code == 403
    assert viewer.post("/channels/feeds/new", data=FORM).status_code == 403
    assert viewer.post("/channels/feeds/shop", data=FORM).status_code == 403
    assert viewer.post("/channels/feeds/preview", data=FORM).status_code == 403
    assert viewer.post("/channels/feeds/shop/run").status_code == 403
    assert catalog.session.scalar(select(func.count()).select_from(FeedRun)) == 0


def test_suppliers_are_refused_and_strangers_sent_to_sign_in(catalog, logged_in_client, client):
    make_feed(catalog.session, "shop")
    supplier = logged_in_client("supplier")
    for url in ("/channels/", "/channels/feeds/shop/runs", "/channels/feeds/shop"):
        assert supplier.get(url).status_code == 403
    assert supplier.post("/channels/feeds/shop/run").status_code == 403
    response = client.get("/channels/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_dashboard_lists_recent_runs_with_failures_marked(catalog, admin):
    session = catalog.session
    make_feed(session, "shop")
    admin.post("/channels/feeds/shop/run")
    feed = make_feed(session, "broken")
    session.add(FeedRun(feed=feed, status=RunStatus.FAILED, message="boom"))
    session.commit()
    page = admin.get("/").get_data(as_text=True)
    assert "Recent feed runs" in page
    assert 'class="feed-run-failed"' in page and 'class="feed-run-succeeded"' in page
    assert "/channels/feeds/broken/runs" in page
    assert page.index("broken") < page.index("/channels/feeds/shop/runs")  # newest first


def test_the_panel_is_hidden_from_those_who_cannot_read(app, db_session, make_user):
    supplier = make_user(role="supplier")
    with app.test_request_context():
        assert recent_runs_panel(supplier) is None
