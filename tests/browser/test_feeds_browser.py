"""End to end, as an administrator: define a feed while its live preview follows the form,
save it, run it now and find the run, with its file, in the history."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pytest
from factories import build_catalog
from werkzeug.serving import make_server

from channels.feeds import save_feed
from channels.models import FeedRun, RunStatus
from channels.runs import progress_key
from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.models.types import utcnow
from pim.queue import current_queue

pytestmark = pytest.mark.browser

SHOP = {
    "channel": "ecommerce",
    "format": "csv",
    "locale": "en_US",
    "currency": "EUR",
    "mapping": {"title": {"attribute": "name"}},
}
EMAIL = "feeds@example.com"
PASSWORD = "feeds test password"


@dataclass(frozen=True)
class FeedServer:
    """The live app, where an administrator may sign in."""

    url: str
    app: object


@pytest.fixture
def feed_server(tmp_path):
    """The app on a fresh file database with the test catalogue; its queue runs a task as
    soon as it is queued, so "Run now" has finished when the runs page shows."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vitrine.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "f" * 32,
            "WTF_CSRF_ENABLED": True,
            "QUEUE_URL": "memory://",
        }
    )
    with app.app_context():
        upgrade_database()
        create_user(db.session, EMAIL, "admin", PASSWORD, name="Feed Admin")
        build_catalog(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="feeds-server", daemon=True)
    thread.start()
    yield FeedServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tab(browser, feed_server):
    """A browser tab on the server; console errors (CSP violations…) are kept."""
    context = browser.new_context(base_url=feed_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def sign_in(tab, path: str) -> None:
    tab.goto(path)
    tab.get_by_label("E-mail").fill(EMAIL)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


def test_admin_defines_a_feed_with_a_live_preview_then_runs_it(tab):
    from playwright.sync_api import expect

    sign_in(tab, "/channels")
    expect(tab.get_by_role("heading", name="Feeds", exact=True)).to_be_visible()
    tab.get_by_role("link", name="New feed").click()

    # the form starts in the channel's first locale, where the products have no name
    preview = tab.locator(".feed-preview")
    included = preview.locator('[data-funnel="included"]')
    expect(preview.locator("[data-funnel-reasons]")).to_contain_text("missing de_DE translation")
    expect(included).to_have_text("0")

    # in English both variants are in, as the CSV file has them
    tab.get_by_label("Locale", exact=True).select_option("en_US")
    expect(included).to_have_text("2")
    expect(preview.locator("[data-preview-table] tbody tr")).to_have_count(2)
    expect(preview.locator("[data-preview-table]")).to_contain_text("Crew-neck T-shirt")
    expect(preview.locator("[data-preview-output]")).to_contain_text("TS-CREW-RED-S")

    # a filter typed in the form changes the preview, unsaved
    tab.get_by_label("Code", exact=True).fill("web_shop")
    tab.get_by_label("Least completeness (%)").fill("100")
    expect(included).to_have_text("0")
    expect(preview.locator("[data-funnel-reasons]")).to_contain_text(
        "completeness under 100% for ecommerce/en_US"
    )
    expect(preview.locator("[data-funnel-reasons]")).to_contain_text("TS-CREW-RED-M")
    tab.get_by_label("Least completeness (%)").fill("")
    expect(included).to_have_text("2")

    # a mapping naming an unknown attribute is reported by the preview
    tab.get_by_label("Mapping (JSON)").fill('{"title": {"attribute": "nope"}}')
    expect(preview.locator("[data-preview-problems]")).to_contain_text("unknown attribute")
    tab.get_by_label("Mapping (JSON)").fill('{"title": {"attribute": "name"}}')
    expect(preview.locator("[data-preview-table] thead")).to_contain_text("title")
    expect(preview.locator("[data-preview-problems]")).to_be_hidden()

    tab.get_by_role("button", name="Create the feed").click()
    expect(tab.locator(".flash")).to_contain_text("Created the feed web_shop.")
    expect(tab).to_have_url(re.compile(r"/channels/feeds/web_shop$"))
    expect(tab.locator('[data-funnel="included"]')).to_have_text("2")

    tab.get_by_role("link", name="Runs", exact=True).click()
    expect(tab.locator(".notice")).to_contain_text("has not run yet")
    tab.get_by_role("button", name="Run now").click()
    expect(tab.locator(".flash")).to_contain_text("Queued a run of the feed web_shop.")
    run = tab.locator("tr.feed-run").first
    expect(run.locator("[data-run-status-text]")).to_have_text("succeeded")
    expect(run.locator('[data-count="included"]')).to_have_text("2")
    download = run.get_by_role("link", name="Download")
    expect(download).to_have_attribute("href", re.compile(r"/channels/feeds/web_shop/runs/\d+/"))
    answer = tab.request.get(download.get_attribute("href"))
    assert answer.ok and "TS-CREW-RED-S" in answer.text()
    assert tab.console_errors == []


def test_the_runs_page_follows_a_run_until_it_ends(tab, feed_server):
    from playwright.sync_api import expect

    with feed_server.app.app_context():
        feed = save_feed(db.session, {**SHOP, "code": "shop"})
        run = FeedRun(feed=feed, status=RunStatus.RUNNING)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        current_queue().put(progress_key(run_id), {"included": 1200, "excluded": 3})

    sign_in(tab, "/channels/feeds/shop/runs")
    row = tab.locator(f'tr[data-run="{run_id}"]')
    expect(row.locator("[data-run-status-text]")).to_have_text("running")
    expect(row.locator('[data-count="included"]')).to_have_text("1,200")
    with feed_server.app.app_context():  # the task moves on, then finishes the run
        current_queue().put(progress_key(run_id), {"included": 1500, "excluded": 4})
    expect(row.locator('[data-count="included"]')).to_have_text("1,500")
    with feed_server.app.app_context():
        finished = db.session.get(FeedRun, run_id)
        finished.status, finished.included, finished.excluded = RunStatus.SUCCEEDED, 1501, 4
        finished.finished_at = utcnow()
        db.session.commit()
    expect(row.locator("[data-run-status-text]")).to_have_text("succeeded")  # reloaded
    expect(row.locator("progress")).to_have_count(0)
    expect(row.locator('[data-count="included"]')).to_have_text("1,501")
    assert tab.console_errors == []
