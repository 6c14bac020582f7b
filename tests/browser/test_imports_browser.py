"""End to end: sign in, upload a CSV, watch the progress bar reach the end, open the report.

The app runs on its own live server with a real (SQLite) job queue whose worker starts
only once the job page shows the import waiting: the counts then arrive through the
page's polling of the status endpoint, not through the first render.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from factories import build_catalog
from werkzeug.serving import make_server

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.imports import profiles

pytestmark = pytest.mark.browser

EMAIL = "importer@example.com"
PASSWORD = "importer test password"
CSV = (
    b"SKU;Name (FR);Prix EUR;Internal note\n"
    b"WEB-1;Chemise;12,50;a\n"
    b"WEB-2;Robe;30;b\n"
    b"WEB-3;Jupe;abc;c\n"
)
PROFILE = {
    "code": "acme",
    "label": "Supplier ACME",
    "source": "supplier:acme",
    "reader": {"format": "csv"},
    "mapping": {
        "key": {"column": "SKU"},
        "fields": {"family": {"value": "tshirts"}},
        "values": [
            {"column": "Name (FR)", "attribute": "name", "locale": "fr_FR"},
            {
                "column": "Prix EUR",
                "attribute": "price",
                "transforms": [{"op": "decimal_comma"}, {"op": "currency", "currency": "EUR"}],
            },
        ],
        "ignore": ["Internal note"],
    },
}


@dataclass
class ImportServer:
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
def import_server(tmp_path):
    """The app on a fresh file database and file queue, served in a thread."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'vitrine.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
            "SECRET_KEY": "i" * 32,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        upgrade_database()
        create_user(db.session, EMAIL, "editor", PASSWORD, name="Browser Importer")
        build_catalog(db.session)
        profiles.save_profile(db.session, PROFILE)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="import-server", daemon=True)
    thread.start()
    live = ImportServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    yield live
    live.stop_worker()
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tab(browser, import_server):
    """A browser tab on the import server; console errors (CSP violations…) are kept."""
    context = browser.new_context(base_url=import_server.url, accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def test_upload_a_csv_and_watch_it_import(tab, import_server):
    from playwright.sync_api import expect

    tab.goto("/imports")
    tab.get_by_label("E-mail").fill(EMAIL)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Imports", exact=True)).to_be_visible()

    tab.get_by_label("Import profile").select_option("acme")
    tab.get_by_label("File (CSV, XLSX or XML)").set_input_files(
        {"name": "feed.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    tab.get_by_role("button", name="Import", exact=True).click()

    expect(tab.get_by_role("heading", name="Import #1: feed.csv")).to_be_visible()
    progress = tab.locator(".job-progress")
    expect(progress.locator("[data-status-text]")).to_have_text("queued")
    expect(tab.locator("#job-progress-bar")).to_have_attribute("value", "0")

    import_server.start_worker()

    expect(progress.locator("[data-status-text]")).to_have_text("succeeded", timeout=20_000)
    expect(tab.locator("#job-progress-bar")).to_have_js_property("value", 100)
    expect(tab.locator('[data-count="read"]')).to_have_text("3")
    expect(tab.locator('[data-count="written"]')).to_have_text("2")
    expect(tab.locator('[data-count="failed"]')).to_have_text("1")
    expect(tab.locator('[data-field="percent"]')).to_have_text("100%")

    report = tab.locator(".job-report")
    expect(report.get_by_role("heading")).to_contain_text("1 line")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr")).to_contain_text("WEB-3")
    expect(report.locator("tbody tr")).to_contain_text("'abc' is not a number")

    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download report (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "4,WEB-3,Prix EUR,abc," in text
    assert tab.console_errors == []
