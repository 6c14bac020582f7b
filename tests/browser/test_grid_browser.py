"""End to end: search the grid, tick two rows, mass-set their workflow status, watch the job
finish on its page and see the new status in the grid.

The app runs on its own live server with a real (SQLite) job queue whose worker starts only
once the job page shows the job waiting: the counts then arrive through the page's polling
of the status endpoint, not through the first render.
"""

from __future__ import annotations

import re
import signal
import threading
from dataclasses import dataclass

import pytest
from factories import build_catalog
from werkzeug.serving import make_server

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.search import indexer

pytestmark = pytest.mark.browser

EMAIL = "grid@example.com"
PASSWORD = "grid test password"


@dataclass
class GridServer:
    """The live app, and a way to start its job worker when the test is ready."""

    url: str
    app: object
    consumer: object = None

    def start_worker(self) -> None:
        """A thread worker polling the queue every half second at most."""
        huey = self.app.extensions["vitrine_queue"].huey
        self.consumer = huey.create_consumer(
            workers=1, worker_type="thread", periodic=False, max_delay=0.5
        )
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.consumer.start()
        for number, handler in handlers.items():  # the consumer takes them over; give them back
            signal.signal(number, handler)

    def stop_worker(self) -> None:
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
            self.consumer = None


@pytest.fixture
def grid_server(tmp_path):
    """The app on a fresh file database, search index and file queue, served in a thread."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vitrine.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
            "SECRET_KEY": "g" * 32,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        upgrade_database()
        create_user(db.session, EMAIL, "editor", PASSWORD, name="Grid Editor")
        build_catalog(db.session)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="grid-server", daemon=True)
    thread.start()
    live = GridServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    yield live
    live.stop_worker()
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        # whatever the mass edits did, search still matches the database
        drift = indexer.check(db.session.get_bind())
        db.engine.dispose()
    assert drift.clean, drift


@pytest.fixture
def tab(browser, grid_server):
    """A browser tab on the grid server; console errors (CSP violations…) are kept."""
    context = browser.new_context(base_url=grid_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def test_mass_set_the_workflow_status_of_two_rows(tab, grid_server):
    from playwright.sync_api import expect

    tab.goto("/products")
    tab.get_by_label("E-mail").fill(EMAIL)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Products")).to_be_visible()

    tab.get_by_label("Search", exact=True).fill("crew")
    tab.get_by_role("button", name="Apply").click()
    expect(tab.get_by_text("2 products found")).to_be_visible()
    count = tab.locator("[data-selected-count]")
    expect(count).to_have_text("0 selected on this page")
    tab.get_by_label("Select TS-CREW-RED-S").check()
    tab.get_by_label("Select TS-CREW-RED-M").check()
    expect(count).to_have_text("2 selected on this page")
    expect(tab.get_by_label("Select all on this page")).to_be_checked()
    tab.get_by_role("button", name="Mass edit the selection…").click()

    expect(tab.get_by_role("heading", name="Mass edit")).to_be_visible()
    expect(tab.get_by_role("status")).to_contain_text("2 selected products")
    expect(tab.get_by_label("New status")).to_be_hidden()  # sections follow the operation
    tab.get_by_label("Change the workflow status").check()
    tab.get_by_label("New status").select_option("in_review")
    tab.get_by_role("button", name="Preview").click()

    expect(tab.get_by_role("heading", name="Preview the mass edit")).to_be_visible()
    expect(tab.locator(".mass-edit-sample tbody tr")).to_have_count(2)
    expect(tab.locator(".mass-edit-sample")).to_contain_text("draft → in_review")
    tab.get_by_role("button", name="Change 2 products").click()

    expect(tab.get_by_role("heading", name=re.compile(r"Mass edit #\d+"))).to_be_visible()
    status = tab.locator(".job-progress [data-status-text]")
    expect(status).to_have_text("queued")
    expect(tab.locator("#job-progress-bar")).to_have_attribute("value", "0")

    grid_server.start_worker()

    expect(status).to_have_text("succeeded", timeout=20_000)
    expect(tab.locator("#job-progress-bar")).to_have_js_property("value", 100)
    expect(tab.locator('[data-count="changed"]')).to_have_text("2")
    expect(tab.locator('[data-count="failed"]')).to_have_text("0")
    expect(tab.get_by_text("No product was refused.")).to_be_visible()

    tab.get_by_role("link", name="Back to the products").click()
    expect(tab.get_by_label("Search", exact=True)).to_have_value("crew")
    rows = tab.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.locator('[data-status="in_review"]')).to_have_count(2)
    expect(rows.first).to_contain_text("in review")
    assert tab.console_errors == []


def test_keyboard_reaches_the_selection_and_the_menus(tab, grid_server):
    from playwright.sync_api import expect

    tab.goto("/products")
    tab.get_by_label("E-mail").fill(EMAIL)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    summary = tab.locator("summary", has_text="Columns")
    summary.focus()
    tab.keyboard.press("Enter")
    expect(tab.get_by_label("Attribute", exact=True)).to_be_visible()
    tab.get_by_label("Attribute", exact=True).select_option("color")
    tab.get_by_role("button", name="Add column").click()
    expect(tab.locator("th.attr-column")).to_contain_text("color")
    expect(tab).to_have_url(re.compile(r"cols=color"))
    tab.get_by_label("Select all on this page").focus()
    tab.keyboard.press("Space")
    expect(tab.locator("[data-selected-count]")).to_have_text("2 selected on this page")
    assert tab.console_errors == []
